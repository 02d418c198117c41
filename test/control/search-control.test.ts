import assert from 'node:assert/strict';
import { SchedulerService } from '../../src/scheduler/service.js';
import { handleControl } from '../../src/control/server.js';
import { searchFromFlags } from '../../src/control/search-submit.js';
import { searchesCsv, searchInfo, searchRows, searchView } from '../../src/control/search-view.js';
import { decodeRequest, decodeResponse, emptyRequest, encodeRequest, encodeResponse, type ControlRequest } from '../../src/protocol/control-messages.js';
import { MemoryStore } from '../../src/store/index.js';
import { createLogger } from '../../src/log.js';
import { search } from '../store/records.js';

const request = (patch: Partial<ControlRequest>): ControlRequest => ({ ...emptyRequest(), ...patch });

describe('control API: throughput searches', () => {
  let service: SchedulerService;

  beforeEach(async () => {
    // No cluster key: every node is driven over the legacy wire.
    service = new SchedulerService({ listen: { host: '127.0.0.1', port: 0 }, store: new MemoryStore(), log: createLogger({ write: () => undefined }) });
    await service.start();
    await service.addNodes([{ name: 'm0', host: '127.0.0.1', port: 1 }, { name: 'm1', host: '127.0.0.1', port: 2, reflector: '127.0.0.1:7' }]);
  });
  afterEach(() => service.stop());

  it('round-trips a search request and searches with their trials through protobuf', () => {
    const req = request({ search: searchFromFlags({ search: 'throughput', node: ['m0'], target: 'm1', sizes: '64,1518', trial: '10s', 'max-loss': '0', resolution: '1%', 'max-rate': '1G' }) });
    assert.deepEqual(decodeRequest(encodeRequest(req)), req);
    assert.deepEqual(JSON.parse(req.search!.json), { kind: 'throughput', node: 'm0', target: 'm1', sizes: [64, 1518], trial: '10s', max_loss: '0', resolution: '1%', max_rate: '1G' });
    const info = searchInfo(search('s000000000001', 1_700_000_000_000));
    assert.deepEqual(decodeResponse(encodeResponse({ searches: [info] })).searches, [info]);
    assert.equal(decodeRequest(encodeRequest(request({}))).search, undefined);
  });

  it('submit --search refuses a job flag beside it, and a search without exactly one --node, naming the flag', () => {
    const flags = { search: 'throughput', node: ['m0'], target: 'm1', sizes: '64', trial: '1s' };
    assert.throws(() => searchFromFlags({ ...flags, rate: '10M' }), /^UserError: --rate describes a job, not a search: a search sets each trial's rate and size itself/);
    assert.throws(() => searchFromFlags({ ...flags, latency: true }), /--latency describes a job, not a search/);
    assert.doesNotThrow(() => searchFromFlags({ ...flags, latency: false, 'all-nodes': false }));
    assert.throws(() => searchFromFlags({ ...flags, node: ['m0', 'm1'] }), /a search needs exactly one --node NAME: the node that sends every trial/);
  });

  const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a legacy node as the sender, naming it', { node: 'm0', target: 'm1', sizes: [64], trial: 1 }, /^submit --search: node m0: expected a pktgen node: a search steps its rate in bit\/s, and a legacy node takes whole Mbit\/s only$/],
    ['an unknown node', { node: 'zz', target: 'm1', sizes: [64], trial: 1 }, /^submit --search: node = "zz": unknown node/],
    ['bad sizes', { node: 'm0', target: 'm1', sizes: [64, 'big'], trial: 1 }, /^submit --search: sizes = \[64,"big"\]: expected a list of 1\.\.16 different frame sizes/],
  ];
  for (const [what, json, message] of refusals) {
    it(`refuses ${what} as data (ERR_INPUT, exit 2 at the client), and starts nothing`, async () => {
      const response = await handleControl(service, request({ search: { json: JSON.stringify(json), where: 'submit --search' } }));
      assert.equal(response.error?.code, 'ERR_INPUT');
      assert.match(response.error!.message, message);
      assert.deepEqual(service.searches.list(), []);
      assert.equal(service.core.state.jobs.size, 0);
    });
  }

  it('shows a search per size: bounds while searching, throughput in Mbit/s and Mpps once done, every trial in CSV', () => {
    const info = searchInfo(search('s000000000001', 1_700_000_000_000));
    const view = searchView(info);
    // 64 bytes: given up at its third trial (failed); 1518: passed at max_rate.
    assert.deepEqual(view.sizes.map((s) => [s.size, s.state, s.throughput_mbps, s.throughput_mpps]), [[64, 'aborted', null, null], [1518, 'done', 1000, 0.082345]]);
    assert.equal(view.sizes[0]!.reason, 'trial at 500 Mbit/s failed: job lost');
    assert.deepEqual(view.sizes[0]!.trials[0], { job_id: 's000000000001t0', rate_mbps: 1000, rate_mpps: 1.953125, verdict: 'loss', loss_pct: 25, tx_mbps: 999, reason: '' });
    assert.equal(view.created_at, '2023-11-14T22:13:20.000Z');
    const running = searchInfo(search('s000000000002', 1, { trials: [{ size: 64, rateBps: 1e9, verdict: 'loss', lossRatio: 0.5, txBps: 1e9, jobId: 's000000000002t0', reason: '' }] }));
    assert.deepEqual(searchRows([running])[0], { search: 's000000000002', size: '64', state: 'searching', bounds: '0..1000 Mbit/s', 'Mbit/s': '-', Mpps: '-', trials: '1', reason: '' });
    const csv = searchesCsv([info]).split('\n');
    assert.equal(csv.length, 1 + 4);
    assert.equal(csv[4], 's000000000001,1518,done,1000,0.082345,1,s000000000001t3,1000,0.082345,pass,0,1000,');
  });
});
