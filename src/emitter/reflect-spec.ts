import { formatAddress, parseAddress, type Address } from '../transport/address.js';

/** One reflector process, in the helper's own terms (`pktgen-emit reflect --help`). */
export interface ReflectorSpec {
  bind: Address;
  /** CIDRs of senders that get echoes. */
  allow: readonly string[];
  /** Test option: drop one test packet in K (0: none). */
  dropEvery?: number;
  /** Keep polling this long after a batch before sleeping (0: block at once). */
  spinUs?: number;
  /** This host's clock minus the reference clock, declared: one-way stamps are corrected by it. */
  clockOffsetNs?: number | undefined;
}

/** Builds the helper's argv for a reflector. */
export function buildReflectorArgs(spec: ReflectorSpec): string[] {
  const args = ['reflect', '--bind', formatAddress(spec.bind)];
  if (spec.allow.length > 0) args.push('--allow', spec.allow.join(','));
  if (spec.dropEvery) args.push('--drop-every', String(spec.dropEvery));
  if (spec.spinUs) args.push('--spin-us', String(spec.spinUs));
  if (spec.clockOffsetNs !== undefined) args.push('--clock-offset-ns', String(spec.clockOffsetNs));
  return args;
}

/** The reflector's first line: where it listens. */
export interface ReflectorListening {
  event: 'listening';
  address: Address;
  allow: string;
}

/** The reflector's last line, printed when it is stopped. */
export interface ReflectorSummary {
  event: 'summary';
  received: number;
  echoed: number;
  invalid: number;
  not_allowed: number;
  test_drops: number;
  send_errors: number;
}

/** Parses one stdout line of the reflector; undefined for anything else. */
export function parseReflectorLine(line: string): ReflectorListening | ReflectorSummary | undefined {
  let value: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line.trim());
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    value = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (value.event === 'listening' && typeof value.bind === 'string') {
    try {
      return { event: 'listening', address: parseAddress(value.bind, undefined, 'bind'), allow: String(value.allow ?? '') };
    } catch {
      return undefined;
    }
  }
  if (value.event === 'summary') {
    const n = (key: string): number => (typeof value[key] === 'number' ? (value[key] as number) : 0);
    return {
      event: 'summary', received: n('received'), echoed: n('echoed'), invalid: n('invalid'),
      not_allowed: n('not_allowed'), test_drops: n('test_drops'), send_errors: n('send_errors'),
    };
  }
  return undefined;
}
