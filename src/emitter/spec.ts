import { formatAddress, type Address } from '../transport/address.js';

/** One emitter run, in the helper's own terms (see native/README.md). */
export interface EmitterSpec {
  dst: Address;
  rateMbps: number;
  durationS: number;
  warmupS: number;
  flows: number;
  sizeMin: number;
  sizeMax: number;
  randomPayload: boolean;
  latency: boolean;
  tag: number;
}

/** Builds the helper's argv for a spec. */
export function buildEmitterArgs(spec: EmitterSpec): string[] {
  const size = spec.sizeMax > spec.sizeMin ? `${spec.sizeMin}-${spec.sizeMax}` : String(spec.sizeMin);
  const args = [
    'send',
    '--dst', formatAddress(spec.dst),
    '--rate', String(spec.rateMbps),
    '--duration', String(spec.durationS),
    '--warmup', String(spec.warmupS),
    '--flows', String(spec.flows),
    '--size', size,
    '--tag', String(spec.tag >>> 0),
  ];
  if (spec.randomPayload) args.push('--random-payload');
  if (spec.latency) args.push('--latency');
  return args;
}
