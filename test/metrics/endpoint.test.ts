import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { Counter, Registry } from 'prom-client';
import { METRICS_LIMITS, startMetricsEndpoint, type MetricsEndpoint } from '../../src/metrics/endpoint.js';
import { checkMetricsAddress } from '../../src/metrics/address.js';
import { createLogger } from '../../src/log.js';
import { UserError } from '../../src/errors.js';
import { httpGet, parseExposition, sampleValue } from '../helpers/prom.js';

describe('metrics endpoint', () => {
  let endpoint: MetricsEndpoint;
  const logs: string[] = [];
  let registry: Registry;

  beforeEach(async () => {
    registry = new Registry();
    new Counter({ name: 'pktgen_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    endpoint = await startMetricsEndpoint(registry, { host: '127.0.0.1', port: 0 }, createLogger({ write: (line) => logs.push(line) }));
  });
  afterEach(() => endpoint.close());

  it('answers GET /metrics with the registry in the Prometheus text format', async () => {
    const answer = await httpGet(endpoint.address, '/metrics');
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.equal(sampleValue(parseExposition(answer.body), 'pktgen_test_total'), 3);
    // A query string, as some scrapers add, is the same path.
    assert.equal((await httpGet(endpoint.address, '/metrics?x=1')).status, 200);
  });

  it('answers HEAD without a body, and nothing but /metrics', async () => {
    const head = await httpGet(endpoint.address, '/metrics', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    const other = await httpGet(endpoint.address, '/');
    assert.equal(other.status, 404);
    assert.match(other.body, /only GET \/metrics/);
    const post = await httpGet(endpoint.address, '/metrics', { method: 'DELETE' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  it('refuses a request with a body and closes the connection', async () => {
    const answer = await httpGet(endpoint.address, '/metrics', { method: 'POST', body: 'x'.repeat(100) });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.connection, 'close');
  });

  it('refuses headers over its limit (431) without answering the metrics', async () => {
    const answer = await httpGet(endpoint.address, '/metrics', { headers: { 'x-big': 'a'.repeat(METRICS_LIMITS.maxHeaderBytes + 100) } });
    assert.equal(answer.status, 431);
    assert.doesNotMatch(answer.body, /pktgen_test_total/);
  });

  it('closes a connection that never finishes its headers', async function () {
    this.timeout(METRICS_LIMITS.headersTimeoutMs + 20_000);
    const socket = connect(endpoint.address.port, endpoint.address.host);
    await once(socket, 'connect');
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'); // and no blank line: the headers never end
    socket.resume();
    // Node checks its header and request timeouts every few seconds; the bound here is generous.
    const closed = await Promise.race([once(socket, 'close').then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), METRICS_LIMITS.headersTimeoutMs + 15_000))]);
    socket.destroy();
    assert.equal(closed, true, 'the half-sent request was not cut off');
  });

  it('answers 500 and logs why when collecting fails, and keeps serving', async () => {
    new Counter({ name: 'pktgen_broken_total', help: 'fails', registers: [registry], collect() { throw new Error('boom'); } });
    const answer = await httpGet(endpoint.address, '/metrics');
    assert.equal(answer.status, 500);
    assert.match(logs.join(''), /could not collect the metrics: .*boom/);
    registry.removeSingleMetric('pktgen_broken_total');
    assert.equal((await httpGet(endpoint.address, '/metrics')).status, 200);
  });
});

describe('metrics endpoint on a taken port', () => {
  it('fails to start with the address, the reason and what to try', async () => {
    const first = await startMetricsEndpoint(new Registry(), { host: '127.0.0.1', port: 0 }, createLogger({ write: () => undefined }));
    try {
      await assert.rejects(startMetricsEndpoint(new Registry(), first.address, createLogger({ write: () => undefined })), {
        code: 'ERR_LISTEN', message: `cannot listen on 127.0.0.1:${first.address.port}: EADDRINUSE, the port is taken (another pktgen?); pick another port`,
      });
    } finally {
      await first.close();
    }
  });
});

describe('--metrics address check', () => {
  it('takes loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.deepEqual(checkMetricsAddress({ host, port: 9464 }, false), { host, port: 9464 });
  });

  it('refuses any other address unless --metrics-public, naming the address and the flag', () => {
    for (const host of ['0.0.0.0', '10.0.0.5', '::', 'metrics.example']) {
      assert.throws(() => checkMetricsAddress({ host, port: 9464 }, false), (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.match(error.message, new RegExp(`^--metrics .*: ${host.replaceAll('.', '\\.')} is not a loopback address: expected .*--metrics-public`));
        return true;
      });
      assert.equal(checkMetricsAddress({ host, port: 9464 }, true).host, host);
    }
  });
});
