import assert from 'node:assert/strict';
import { oneWayStats, summaryToStats } from '../../src/emitter/output.js';
import { buildEmitterArgs, oneWayFrameMin, type EmitterSpec } from '../../src/emitter/spec.js';
import { decodeStatus, encodeStatus } from '../../src/protocol/messages.js';
import { jobJson } from '../../src/control/json-shape.js';
import { jobDetail, jobsCsv } from '../../src/control/format.js';
import { job, stats } from '../tui/fixtures.js';
import { buildReflectorArgs } from '../../src/emitter/reflect-spec.js';
import { parseClockOffsetNs } from '../../src/input/clock-offset.js';
import { UserError } from '../../src/errors.js';

// One-way figures from the helper's summary to Stats.one_way, the wire, and what status shows.
const delay = { min: 40, p25: 45, p50: 50, p75: 55, p90: 60, p95: 65, p99: 90, p999: 120, max: 130, mean: 52, std: 9, samples: 19_000 };
const measured = {
  answered: 19_000, asked_back: 0, fwd_sent: 20_000, fwd_received: 19_010, ret_sent: 19_000, ret_received: 19_000,
  reflector_dropped: 10, reflector_overflow: 0, fwd_loss: 0.0495, ret_loss: 0, fwd_jitter_us: 690.5, ret_jitter_us: 12.5,
  clocks_comparable: true, negative_delays: 0, fwd_delay_us: delay, ret_delay_us: { ...delay, p50: 20 },
};

describe('one-way figures: helper summary -> Stats.one_way -> wire -> status', () => {
  it('maps the helper\'s one_way onto Stats.one_way, the reflector\'s drops included', () => {
    const stats = summaryToStats({ event: 'summary', status: 'ok', tx_packets: 20_000, rx_measured: true, one_way: measured });
    assert.deepEqual(stats.one_way, {
      answered: 19_000, fwd_sent: 20_000, fwd_received: 19_010, fwd_loss: 0.0495, ret_sent: 19_000, ret_received: 19_000, ret_loss: 0,
      reflector_dropped: 10, reflector_overflow: 0, jitter_measured: true, fwd_jitter_us: 690.5, ret_jitter_us: 12.5, note: '',
      fwd_delay_us: delay, ret_delay_us: { ...delay, p50: 20 },
    });
  });

  it('names what it could not measure, and leaves one_way out when nothing came back', () => {
    assert.equal(oneWayStats(undefined), undefined);
    assert.equal(oneWayStats({ answered: 0, asked_back: 0, fwd_loss: null }), undefined, 'no echo at all: rx_measured says it');
    const old = oneWayStats({ answered: 0, asked_back: 500, fwd_loss: null, fwd_jitter_us: null, fwd_delay_us: null })!;
    assert.match(old.note, /not a pktgen reflector that knows one-way figures/);
    const unstamped = oneWayStats({ ...measured, fwd_jitter_us: null, ret_jitter_us: null, fwd_delay_us: null, ret_delay_us: null })!;
    assert.equal(unstamped.jitter_measured, false);
    assert.match(unstamped.note, /without latency stamps/);
    const otherHost = oneWayStats({ ...measured, clocks_comparable: false, fwd_delay_us: null, ret_delay_us: null })!;
    assert.equal(otherHost.fwd_delay_us, undefined);
    assert.match(otherHost.note, /another clock .* clock offset/);
  });

  it('crosses the wire in SUCCESS and decodes to the same figures; a stats without one_way stays without', () => {
    const sent = summaryToStats({ event: 'summary', status: 'ok', tx_packets: 20_000, rx_measured: true, one_way: measured });
    assert.deepEqual(decodeStatus(encodeStatus({ type: 'SUCCESS', stats: sent })).stats?.one_way, sent.one_way);
    const noDelay = summaryToStats({ event: 'summary', status: 'ok', one_way: { ...measured, fwd_delay_us: null, ret_delay_us: null } });
    const back = decodeStatus(encodeStatus({ type: 'SUCCESS', stats: noDelay })).stats!;
    assert.equal('fwd_delay_us' in back.one_way!, false);
    assert.equal('one_way' in decodeStatus(encodeStatus({ type: 'SUCCESS', stats: stats() })).stats!, false);
  });

  it('shows in status (detail, --json, --csv), unmeasured figures null / "not measured"', () => {
    const oneWay = oneWayStats(measured)!;
    const done = job('j1', 'm0', { state: 'succeeded', stats: stats({ rx_measured: true, one_way: oneWay }) });
    const detail = jobDetail(done);
    assert.match(detail, /^stats\.one_way\.fwd_loss +0\.0495$/m);
    assert.match(detail, /^stats\.one_way\.reflector_dropped +10$/m);
    assert.match(detail, /^stats\.one_way\.fwd_jitter_us +690\.5$/m);
    assert.match(detail, /^stats\.one_way\.fwd_delay_us\.p99 +90$/m);
    const view = jobJson(done).stats!;
    assert.equal(view.one_way?.ret_loss, 0);
    assert.equal(view.one_way?.fwd_delay_us?.p50, 50);

    const old = job('j2', 'm0', { state: 'succeeded', stats: stats({ rx_measured: true, one_way: oneWayStats({ answered: 0, asked_back: 5 })! }) });
    const oldView = jobJson(old).stats!.one_way!;
    assert.deepEqual([oldView.fwd_loss, oldView.ret_loss, oldView.reflector_dropped, oldView.fwd_jitter_us, oldView.fwd_delay_us], [null, null, null, null, null]);
    assert.match(jobDetail(old), /^stats\.one_way\.fwd_loss +not measured$/m);
    assert.match(jobDetail(job('j3', 'm0', { state: 'succeeded', stats: stats() })), /^stats\.one_way +not measured$/m);

    const [header, row] = jobsCsv([done]).split('\n');
    const cells = Object.fromEntries(header!.split(',').map((name, i) => [name, row!.split(',')[i]]));
    assert.deepEqual([cells['stats.one_way.fwd_loss'], cells['stats.one_way.ret_loss'], cells['stats.one_way.reflector_dropped'], cells['stats.one_way.fwd_jitter_us']], ['0.0495', '0', '10', '690.5']);
  });

  it('asks the helper for one-way figures with --one-way; the frame must hold the block', () => {
    const spec: EmitterSpec = { dst: { host: '127.0.0.1', port: 1730 }, rateMbps: 1, durationS: 1, warmupS: 0, flows: 1, sizeMin: 200, sizeMax: 200, randomPayload: false, latency: false, tag: 1 };
    assert.equal(buildEmitterArgs({ ...spec, oneWay: true }).at(-1), '--one-way');
    assert.ok(!buildEmitterArgs(spec).includes('--one-way'));
    assert.deepEqual([oneWayFrameMin(4), oneWayFrameMin(6)], [104, 124]);
  });

  it('passes a declared clock offset (serve --clock-offset) to the sender, with --one-way only, and to the reflector', () => {
    const spec: EmitterSpec = { dst: { host: '127.0.0.1', port: 1730 }, rateMbps: 1, durationS: 1, warmupS: 0, flows: 1, sizeMin: 200, sizeMax: 200, randomPayload: false, latency: true, tag: 1 };
    assert.deepEqual(buildEmitterArgs({ ...spec, oneWay: true, clockOffsetNs: -1_500_000 }).slice(-3), ['--one-way', '--clock-offset-ns', '-1500000']);
    assert.ok(!buildEmitterArgs({ ...spec, clockOffsetNs: 5 }).includes('--clock-offset-ns'), 'the helper takes it with --one-way only');
    assert.deepEqual(buildReflectorArgs({ bind: { host: '0.0.0.0', port: 1730 }, allow: [], clockOffsetNs: 0 }).slice(-2), ['--clock-offset-ns', '0']);
    assert.ok(!buildReflectorArgs({ bind: { host: '0.0.0.0', port: 1730 }, allow: [] }).includes('--clock-offset-ns'));
  });

  it('parses a clock offset: signed, with a unit; anything else is a usage error naming the flag', () => {
    assert.deepEqual(['-1.5ms', '250us', '+2s', '0us', '0.3ms', '-7µs'].map((t) => parseClockOffsetNs(t, '--clock-offset')), [-1_500_000, 250_000, 2e9, 0, 300_000, -7000]);
    for (const bad of ['5', '1.5 min', 'ms', '-2000s', '']) {
      assert.throws(() => parseClockOffsetNs(bad, '--clock-offset'), (e: unknown) => e instanceof UserError && e.message.startsWith(`--clock-offset "${bad}": expected`), bad);
    }
  });
});
