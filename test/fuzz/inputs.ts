import fc from 'fast-check';

/**
 * JSON inputs as people write them: a valid node or job, then now and then a field or two set to a
 * value at or beyond its limit, of another type, any JSON value, or left out, and a stray key.
 * Half of them stay valid, so what the loaders accept is judged as often as what they refuse.
 */

const anyJson = fc.jsonValue({ maxDepth: 2 });
const oneOf = (...values: unknown[]): fc.Arbitrary<unknown> => fc.constantFrom(...values);
const ODD_NUMBERS = [-1, -0, 0.5, 1e21, Number.MAX_SAFE_INTEGER + 2, Infinity, -Infinity, NaN, '1', true, null];

/** A field's valid values, and the odd ones it is tried with. */
interface Field {
  valid: fc.Arbitrary<unknown>;
  odd: unknown[];
}

type Change = { key: string; to: 'odd' | 'any' | 'absent'; pick: number; value: unknown };

/**
 * Objects whose fields are drawn from their valid values (the optional ones may be left out), then
 * changed 0 to 2 times: a field set to one of its odd values, to any JSON value, or removed, or a
 * stray key added (a computed key defines an own property, "__proto__" included, as JSON.parse does).
 * `shape` trims the valid object first (given a random number), where fields exclude each other.
 */
function nearValid(fields: Record<string, Field>, required: string[], stray: string[], shape = (object: Record<string, unknown>, _pick: number) => object): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(fields);
  const change = fc.record({ key: fc.constantFrom(...keys, ...stray), to: fc.constantFrom('odd' as const, 'any' as const, 'absent' as const), pick: fc.nat(), value: anyJson });
  const valid = fc.record(Object.fromEntries(keys.map((k) => [k, fields[k]!.valid])), { requiredKeys: required });
  return fc.tuple(valid, fc.nat(), fc.oneof(fc.constant<Change[]>([]), fc.array(change, { minLength: 1, maxLength: 2 }))).map(([object, shapePick, changes]) => {
    const out: Record<string, unknown> = shape({ ...object }, shapePick);
    for (const { key, to, pick, value } of changes) {
      const odd = fields[key]?.odd ?? [];
      if (to === 'absent') delete out[key];
      else out[key] = to === 'odd' && odd.length > 0 ? odd[pick % odd.length] : value;
    }
    return out;
  });
}

const NAMES = ['m0', 'm1', 'm2', 'a.b', 'x_y', '__proto__'];
const nodeName = fc.constantFrom(...NAMES);
const ODD_NAMES = ['', 'm 0', 'M\n', 'ü', 'a/b', 'constructor', 5, null, ['m0']];

const HOSTS = ['127.0.0.1', '127.0.0.2', '::1', '0:0:0:0:0:0:0:1', 'localhost', 'LOCALHOST', 'localhost.', 'node-1.example', 'a_b'];
const ODD_HOSTS = ['10.0.0', '256.1.1.1', '127.0.0.1 ', '', '-x', '[::1]', 'fe80::1%eth0', '::ffff:127.0.0.1', 'a..b', 1, null];

/** A nodes.json entry. */
export const nodeItem = nearValid({
  name: { valid: nodeName, odd: ODD_NAMES },
  ip: { valid: fc.constantFrom(...HOSTS), odd: ODD_HOSTS },
  port: { valid: fc.constantFrom(1729, 1731, 1, 65535), odd: [0, 65536, -1, 1729.5, '1729', null, ...ODD_NUMBERS] },
  reflector: { valid: fc.constantFrom(1730, '1730', '127.0.0.1:1732', '[::1]:9', 'm1:1'), odd: [0, 70000, '127.0.0.1', ':9', 'host:', '[::1]', '01730', '1e3', 1.5, null] },
  legacy: { valid: fc.boolean(), odd: [0, 1, 'yes', null] },
  comment: { valid: fc.string({ maxLength: 4 }), odd: [] },
}, ['name', 'ip'], ['__proto__', 'toString']);

/** A nodes.json document, its root now and then of another shape. */
export const nodesDocument = fc.oneof(
  { weight: 19, arbitrary: fc.record({ nodes: fc.array(nodeItem, { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.oneof(oneOf({ jobs: [] }, { nodes: {} }, [], null, 'nodes'), anyJson) },
);

/** The keys that each give a job's rate: a valid job gives one. */
const RATE_KEYS = ['m', 'rate', 'pps', 'rate_bps'];
/** Keeps one rate key, m most often, or now and then two (refused: one rate only). */
function oneRate(object: Record<string, unknown>, pick: number): Record<string, unknown> {
  const kept = [['m'], ['m'], ['m'], ['m'], ['rate'], ['rate'], ['pps'], ['rate_bps'], ['m', 'rate'], ['rate', 'pps']][pick % 10]!;
  for (const key of RATE_KEYS) if (!kept.includes(key)) delete object[key];
  return object;
}

/** A job's "data". */
export const jobData = nearValid({
  m: { valid: fc.oneof(fc.constantFrom(0, 1, 100_000), fc.integer({ min: 0, max: 100_000 })), odd: [100_001, '10', ...ODD_NUMBERS] },
  rate: {
    valid: fc.constantFrom('1.5', '500k', '2.5M', '10G', '100G', '0', 0, 1.5, 10, ' 3 M ', '2.3Mbit/s', '7kbps', '1.000001', '0.000001', '999.999999K', '64 Mbps', '5 kbit/s'),
    odd: ['1.5x', '-1', '1e3', '', '.5', '5.', 'M', 0.0000001, '0.0000001', '1,5', '100001M', '100.000000001G', '1 T', '0x10', '64 bps', '64bit/s', '5 k bit/s', 'constructor', ...ODD_NUMBERS],
  },
  pps: { valid: fc.oneof(fc.constantFrom(1, 10_000, 195_312_500), fc.integer({ min: 1, max: 1_000_000 })), odd: [0, 195_312_501, '10000', ...ODD_NUMBERS] },
  rate_bps: { valid: fc.constantFrom(1, 500_000, 1_000_000, 2_500_000, 100_000_000_000), odd: [0, 100_000_000_001, '500000', ...ODD_NUMBERS] },
  t: { valid: fc.constantFrom(1, 2, 3600), odd: [0, 3601, 7200, 1.5, ...ODD_NUMBERS] },
  w: { valid: fc.constantFrom(0, 1, 3600), odd: [3601, ...ODD_NUMBERS] },
  n: { valid: fc.constantFrom(0, 1, 1024), odd: [1025, 2.5, ...ODD_NUMBERS] },
  s_min: { valid: fc.oneof(fc.constantFrom(64, 1500, 9000), fc.integer({ min: 64, max: 9000 })), odd: [63, 9001, 0, 64.5, ...ODD_NUMBERS] },
  s_max: { valid: fc.constantFrom(0, 1500, 9000), odd: [63, 64, 9001, -0, ...ODD_NUMBERS] },
  r: { valid: fc.boolean(), odd: [0, 1, 2, 'true', null] },
  l: { valid: fc.boolean(), odd: [0, 1, 'false', null] },
}, [...RATE_KEYS, 't', 's_min'], ['s_mx', 'nodes', '__proto__', 'S_MIN', 'm '], oneRate);

/** A job's "expect": each expectation optional, now and then one out of range or of another shape. */
const expectations = fc.record({
  max_loss: fc.constantFrom('0%', '0.1%', '100%', 0, '0', ' 5 % ', '2.5%'),
  max_rtt_p99: fc.constantFrom('500us', '0.3ms', '1s', '60s', '10 µs', '1 ms', '0.0001us'),
  min_rate: fc.constantFrom('99%', '0%', '100%', '99.5%'),
}, { requiredKeys: [] });
const ODD_EXPECT = ['101%', { max_loss: '0.1' }, { max_loss: '-1%' }, { max_loss: 0.1 }, { max_rtt_p99: '0us' }, { max_rtt_p99: '61s' },
  { max_rtt_p99: 500 }, { max_rtt_p99: '5 sec' }, { maxloss: '1%' }, { min_rate: '100.5%' }, { min_rate: '%' }, [], 'x', 5];

/** A jobs.json entry, or the JSON a control request's job carries. */
export const jobItem = nearValid({
  nodes: { valid: fc.array(nodeName, { minLength: 1, maxLength: 3 }), odd: ['m0', [], [1], [''], null, ['m0', 'zz9']] },
  priority: { valid: fc.integer({ min: -5, max: 5 }), odd: [1e300, Number.MIN_SAFE_INTEGER - 2, ...ODD_NUMBERS] },
  data: { valid: jobData, odd: [null, [], 'data', 1] },
  target: { valid: fc.constantFrom('', 'm0', 'm1', '127.0.0.1:9', '[::1]:9', 'localhost:1'), odd: ['m9', '127.0.0.1', 'host:0', 'host:99999', '[::1]', ':9', '::1', 5, null] },
  timeout: { valid: fc.constantFrom(0.5, 1, 30, 86_400), odd: [0, 86_401, ...ODD_NUMBERS] },
  retries: { valid: fc.constantFrom(0, 1, 100), odd: [101, -1, 0.5, null] },
  expect: { valid: expectations, odd: ODD_EXPECT },
}, ['nodes', 'data'], ['comment', 'all_nodes', 'm']);

/** A jobs.json document. */
export const jobsDocument = fc.oneof(
  { weight: 19, arbitrary: fc.record({ jobs: fc.array(jobItem, { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.oneof(oneOf({ nodes: [] }, { jobs: {} }, [], null), anyJson) },
);

/** The node names a scheduler knows, or none given (a file checked on its own). */
export const knownNodes: fc.Arbitrary<Set<string> | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(NAMES).map((names) => new Set(names)),
  fc.subarray(NAMES).map((names) => new Set(names)),
);

/** Serialises a document as a file might hold it: compact or indented, with a byte-order mark or not. */
export const asText = (document: unknown, indent: number, bom: boolean): string =>
  `${bom ? '\uFEFF' : ''}${JSON.stringify(document, null, indent) ?? ''}`;
