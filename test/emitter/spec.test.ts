import assert from 'node:assert/strict';
import { buildEmitterArgs, type EmitterSpec } from '../../src/emitter/spec.js';
import { buildReflectorArgs, parseReflectorLine } from '../../src/emitter/reflect-spec.js';
import { summaryToStats } from '../../src/emitter/output.js';

const spec: EmitterSpec = {
  dst: { host: '127.0.0.1', port: 1730 }, rateMbps: 10, durationS: 2, warmupS: 1, flows: 4,
  sizeMin: 64, sizeMax: 64, randomPayload: false, latency: true, tag: 7,
};

describe('emitter argv and output', () => {
  it('builds send argv; raw mode, MAC and GSO only when asked', () => {
    assert.deepEqual(buildEmitterArgs(spec), ['send', '--dst', '127.0.0.1:1730', '--rate', '10', '--duration', '2', '--warmup', '1',
      '--flows', '4', '--size', '64', '--tag', '7', '--latency']);
    const raw = buildEmitterArgs({ ...spec, latency: false, interface: 'veth0', dstMac: '02:00:00:00:00:02', gso: false });
    assert.deepEqual(raw.slice(-5), ['--interface', 'veth0', '--dst-mac', '02:00:00:00:00:02', '--no-gso']);
    assert.ok(!buildEmitterArgs({ ...spec, dstMac: '02:00:00:00:00:02', gso: true }).includes('--dst-mac'), 'a MAC needs raw mode');
  });

  it('passes a node\'s rate cap to the helper as --max-rate, and nothing without one', () => {
    assert.deepEqual(buildEmitterArgs({ ...spec, rateMbps: 0, maxRateMbps: 10 }).slice(3, 7), ['--rate', '0', '--max-rate', '10']);
    assert.ok(!buildEmitterArgs({ ...spec, maxRateMbps: undefined }).includes('--max-rate'));
  });

  it('says in fallback when "as fast as possible" was paced at the ceiling', () => {
    const capped = { event: 'summary', status: 'ok', requested_mbps: 10, max_rate_mbps: 10 } as const;
    assert.equal(summaryToStats({ ...capped, rate_capped: true }).fallback, 'as fast as possible was paced at --max-rate 10 Mbit/s');
    assert.equal(summaryToStats({ ...capped, rate_capped: true, fallback: 'raw mode needs CAP_NET_RAW' }).fallback,
      'raw mode needs CAP_NET_RAW; as fast as possible was paced at --max-rate 10 Mbit/s');
    assert.equal(summaryToStats({ ...capped, rate_capped: false }).fallback, '');
    assert.equal(summaryToStats({ ...capped, rate_capped: true }).requested_mbps, 10);
  });

  it('reads what a mix sent per size into tx_sizes; without a mix there is none', () => {
    const summary = { event: 'summary', status: 'ok', tx_packets: 12, tx_sizes: [{ size: 64, packets: 7 }, { size: 594, packets: 4 }, { size: 1518, packets: 1 }] } as const;
    assert.deepEqual(summaryToStats(summary).tx_sizes, summary.tx_sizes);
    assert.equal('tx_sizes' in summaryToStats({ event: 'summary', status: 'ok', tx_packets: 12 }), false);
  });

  it('builds reflect argv', () => {
    assert.deepEqual(buildReflectorArgs({ bind: { host: '0.0.0.0', port: 1730 }, allow: ['127.0.0.0/8', '::1/128'] }),
      ['reflect', '--bind', '0.0.0.0:1730', '--allow', '127.0.0.0/8,::1/128']);
    assert.deepEqual(buildReflectorArgs({ bind: { host: '::', port: 0 }, allow: [], dropEvery: 20, spinUs: 50 }),
      ['reflect', '--bind', '[::]:0', '--drop-every', '20', '--spin-us', '50']);
  });

  it('parses the reflector lines', () => {
    assert.deepEqual(parseReflectorLine('{"event":"listening","bind":"[::1]:4000","port":4000,"allow":"::1/128"}'),
      { event: 'listening', address: { host: '::1', port: 4000 }, allow: '::1/128' });
    assert.deepEqual(parseReflectorLine('{"event":"summary","received":5,"echoed":4,"invalid":1}'),
      { event: 'summary', received: 5, echoed: 4, invalid: 1, not_allowed: 0, test_drops: 0, send_errors: 0 });
    for (const junk of ['', 'pktgen-emit: oops', '{"event":"interval"}', '[1]', '{"event":"listening"}']) {
      assert.equal(parseReflectorLine(junk), undefined, junk);
    }
  });

  it('maps a measured summary onto Stats, RTT and fallback included', () => {
    const stats = summaryToStats({
      event: 'summary', status: 'ok', mode: 'udp', fallback: 'raw mode needs CAP_NET_RAW', tx_packets: 100, rx_packets: 95,
      rx_measured: true, loss_ratio: 0.05, duplicates: 1, reordered: 2, rx_mbps_mean: 9.5,
      rtt_us: { min: 5, p25: 6, p50: 7, p75: 8, p90: 9, p95: 10, p99: 11, p999: 12, max: 13, mean: 7.5, std: 1, samples: 95 },
    });
    assert.equal(stats.loss_ratio, 0.05);
    assert.equal(stats.rx_mbps_mean, 9.5);
    assert.equal(stats.duplicates, 1);
    assert.equal(stats.reordered, 2);
    assert.equal(stats.rtt_us?.p999, 12);
    assert.equal(stats.fallback, 'raw mode needs CAP_NET_RAW');
  });

  it('keeps rx at 0 and rx_measured false when no echo came (loss_ratio null)', () => {
    const stats = summaryToStats({ event: 'summary', status: 'ok', tx_packets: 100, rx_measured: false, loss_ratio: null, rx_mbps_mean: null });
    assert.equal(stats.rx_measured, false);
    assert.equal(stats.loss_ratio, 0);
    assert.equal(stats.rx_mbps_mean, 0);
    assert.equal(stats.rtt_us, undefined);
  });
});
