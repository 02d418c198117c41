import { formatAddress, type Address } from '../transport/address.js';
import type { SizeWeight } from '../protocol/messages.js';
import { formatSizeMix } from '../input/sizes.js';

/** One emitter run, in the helper's own terms (see native/README.md). */
export interface EmitterSpec {
  dst: Address;
  /** 0 = as fast as possible (paced at maxRateMbps when that is set). */
  rateMbps: number;
  /** Frames per second instead of rateMbps (the helper's --pps); absent: rateMbps applies. */
  pps?: number;
  /** A ceiling the helper enforces itself: a higher rate is refused, 0 is paced at it. */
  maxRateMbps?: number | undefined;
  durationS: number;
  warmupS: number;
  flows: number;
  sizeMin: number;
  sizeMax: number;
  /** A weighted mix of frame sizes instead of [sizeMin, sizeMax] (the helper's --sizes). */
  sizes?: SizeWeight[];
  randomPayload: boolean;
  latency: boolean;
  tag: number;
  /** Raw mode: send Ethernet frames through AF_PACKET on this interface (falls back to UDP without CAP_NET_RAW). */
  interface?: string;
  /** Raw mode: destination MAC, instead of the neighbour table. */
  dstMac?: string;
  /** Length of the report intervals, ms (the helper's default: 1000). */
  intervalMs?: number;
  /** UDP segmentation offload where the flows allow it (the helper's default: on). */
  gso?: boolean;
  /** Sending threads, each with its share of the flows (at most `flows`); absent: one. */
  threads?: number;
  /** Ask the reflector for one-way figures (needs frames of at least {@link oneWayFrameMin} bytes). */
  oneWay?: boolean;
  /** This host's clock minus the reference clock, declared by the operator (one-way delays across hosts). */
  clockOffsetNs?: number | undefined;
}

/** Bytes of headers below the test payload of a frame (Ethernet + FCS, IP, UDP), per IP family. */
export const FRAME_OVERHEAD = { 4: 46, 6: 66 } as const;
/** The helper's test header, then the one-way block that follows it (native/oneway.h). */
const TEST_HEADER_BYTES = 18;
const ONE_WAY_BLOCK_BYTES = 40;

/** The smallest frame with room for the one-way block, over IPv4 or IPv6 (104 or 124 bytes). */
export function oneWayFrameMin(family: 4 | 6): number {
  return FRAME_OVERHEAD[family] + TEST_HEADER_BYTES + ONE_WAY_BLOCK_BYTES;
}

/** Builds the helper's argv for a spec. */
export function buildEmitterArgs(spec: EmitterSpec): string[] {
  const size = spec.sizeMax > spec.sizeMin ? `${spec.sizeMin}-${spec.sizeMax}` : String(spec.sizeMin);
  const args = [
    'send',
    '--dst', formatAddress(spec.dst),
    ...(spec.pps ? ['--pps', String(spec.pps)] : ['--rate', String(spec.rateMbps)]),
    ...(spec.maxRateMbps === undefined ? [] : ['--max-rate', String(spec.maxRateMbps)]),
    '--duration', String(spec.durationS),
    '--warmup', String(spec.warmupS),
    '--flows', String(spec.flows),
    ...(spec.sizes?.length ? ['--sizes', formatSizeMix(spec.sizes)] : ['--size', size]),
    '--tag', String(spec.tag >>> 0),
  ];
  if (spec.randomPayload) args.push('--random-payload');
  if (spec.latency) args.push('--latency');
  if (spec.interface) args.push('--interface', spec.interface);
  if (spec.interface && spec.dstMac) args.push('--dst-mac', spec.dstMac);
  if (spec.gso === false) args.push('--no-gso');
  if (spec.oneWay) args.push('--one-way');
  if (spec.oneWay && spec.clockOffsetNs !== undefined) args.push('--clock-offset-ns', String(spec.clockOffsetNs));
  if (spec.threads && spec.threads > 1) args.push('--threads', String(spec.threads));
  if (spec.intervalMs !== undefined) args.push('--interval-ms', String(spec.intervalMs));
  return args;
}
