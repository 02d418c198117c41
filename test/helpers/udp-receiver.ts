import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';

/** Magic number at the start of every pktgen test header ("PG"). */
export const PKTGEN_MAGIC = 0x5047;
/** Size of the pktgen test header: magic u16, tag u32, seq u32, tx ns u64, big-endian. */
export const PKTGEN_HEADER_BYTES = 18;
/** Bytes a frame has besides its UDP payload: Ethernet 14 + FCS 4 + IP + UDP 8. */
export const FRAME_OVERHEAD = { 4: 46, 6: 66 } as const;

/** The pktgen test header of one packet. */
export interface PacketHeader {
  magic: number;
  tag: number;
  seq: number;
  /** CLOCK_MONOTONIC nanoseconds when the emitter handed the packet to the kernel. */
  txNs: bigint;
}

/** What the receiver recorded for one datagram. */
export interface ReceivedPacket {
  payloadBytes: number;
  /** Ethernet frame size including FCS: payload + 46 over IPv4, + 66 over IPv6. */
  frameBytes: number;
  sourcePort: number;
  /** Undefined when the payload is shorter than the header. */
  header: PacketHeader | undefined;
  /** process.hrtime.bigint() at arrival: the same clock (CLOCK_MONOTONIC) as txNs. */
  arrivalNs: bigint;
}

/** Totals over every packet received so far. */
export interface ReceiverTotals {
  packets: number;
  payloadBytes: number;
  frameBytes: number;
  /** Smallest and largest frame size seen; undefined before the first packet. */
  sizeMin: number | undefined;
  sizeMax: number | undefined;
  sourcePorts: Set<number>;
  packetsBySourcePort: Map<number, number>;
  firstArrivalNs: bigint | undefined;
  lastArrivalNs: bigint | undefined;
}

/** Options of {@link startUdpReceiver}. */
export interface UdpReceiverOptions {
  /** 4 binds 127.0.0.1, 6 binds ::1. Default 4. */
  family?: 4 | 6;
  /** SO_RCVBUF asked for (the kernel caps it at net.core.rmem_max). Default 32 MiB. */
  recvBufferBytes?: number;
}

/** A UDP receiver on loopback that records every pktgen packet it gets. */
export interface UdpReceiver {
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
  /** The address as the emitter's --dst wants it: 127.0.0.1:PORT or [::1]:PORT. */
  readonly target: string;
  /** SO_RCVBUF the kernel granted (Linux reports twice the usable size). */
  readonly recvBufferBytes: number;
  /** Every packet so far, in arrival order. */
  readonly packets: readonly ReceivedPacket[];
  totals(): ReceiverTotals;
  /** Resolves once no packet has arrived for quietMs (packets still queued get read first). */
  waitForQuiet(quietMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Parses the pktgen test header at the start of a payload; undefined if it is too short. */
export function parseHeader(payload: Buffer): PacketHeader | undefined {
  if (payload.length < PKTGEN_HEADER_BYTES) return undefined;
  return {
    magic: payload.readUInt16BE(0),
    tag: payload.readUInt32BE(2),
    seq: payload.readUInt32BE(6),
    txNs: payload.readBigUInt64BE(10),
  };
}

/** Opens a receiver on 127.0.0.1 or ::1, port 0 (the kernel picks a free one). */
export async function startUdpReceiver(options: UdpReceiverOptions = {}): Promise<UdpReceiver> {
  const family = options.family ?? 4;
  const address = family === 6 ? '::1' : '127.0.0.1';
  const socket = dgram.createSocket({
    type: family === 6 ? 'udp6' : 'udp4',
    recvBufferSize: options.recvBufferBytes ?? 32 * 1024 * 1024,
  });
  const packets: ReceivedPacket[] = [];
  let lastActivity = process.hrtime.bigint();

  socket.on('message', (payload, rinfo) => {
    const arrivalNs = process.hrtime.bigint();
    lastActivity = arrivalNs;
    packets.push({
      payloadBytes: payload.length,
      frameBytes: payload.length + FRAME_OVERHEAD[family],
      sourcePort: rinfo.port,
      header: parseHeader(payload),
      arrivalNs,
    });
  });
  socket.bind(0, address);
  await once(socket, 'listening');
  const port = socket.address().port;

  return {
    family,
    address,
    port,
    target: family === 6 ? `[${address}]:${port}` : `${address}:${port}`,
    recvBufferBytes: socket.getRecvBufferSize(),
    packets,
    totals: () => summarize(packets),
    async waitForQuiet(quietMs = 200) {
      const quietNs = BigInt(quietMs) * 1_000_000n;
      while (process.hrtime.bigint() - lastActivity < quietNs) {
        await new Promise((resolve) => setTimeout(resolve, quietMs / 4));
      }
    },
    async close() {
      socket.close();
      await once(socket, 'close');
    },
  };
}

function summarize(packets: readonly ReceivedPacket[]): ReceiverTotals {
  const totals: ReceiverTotals = {
    packets: packets.length,
    payloadBytes: 0,
    frameBytes: 0,
    sizeMin: undefined,
    sizeMax: undefined,
    sourcePorts: new Set(),
    packetsBySourcePort: new Map(),
    firstArrivalNs: packets[0]?.arrivalNs,
    lastArrivalNs: packets.at(-1)?.arrivalNs,
  };
  for (const p of packets) {
    totals.payloadBytes += p.payloadBytes;
    totals.frameBytes += p.frameBytes;
    totals.sizeMin = Math.min(totals.sizeMin ?? p.frameBytes, p.frameBytes);
    totals.sizeMax = Math.max(totals.sizeMax ?? p.frameBytes, p.frameBytes);
    totals.sourcePorts.add(p.sourcePort);
    totals.packetsBySourcePort.set(p.sourcePort, (totals.packetsBySourcePort.get(p.sourcePort) ?? 0) + 1);
  }
  return totals;
}

/** Sequence numbers seen, between the lowest and the highest (no wrap-around): gaps and repeats. */
export interface SequenceStats {
  unique: number;
  min: number | undefined;
  max: number | undefined;
  /** Numbers in [min, max] never seen: lost (or still in flight). */
  missing: number;
  duplicates: number;
}

/** Counts missing and repeated sequence numbers over the packets that carry a header. */
export function sequenceStats(packets: readonly ReceivedPacket[]): SequenceStats {
  const seen = new Set<number>();
  let duplicates = 0;
  let min: number | undefined;
  let max: number | undefined;
  for (const p of packets) {
    if (!p.header) continue;
    const { seq } = p.header;
    if (seen.has(seq)) duplicates++;
    seen.add(seq);
    min = Math.min(min ?? seq, seq);
    max = Math.max(max ?? seq, seq);
  }
  const missing = min === undefined || max === undefined ? 0 : max - min + 1 - seen.size;
  return { unique: seen.size, min, max, missing, duplicates };
}

/**
 * Datagrams the kernel dropped at a full receive buffer of the UDP socket on 127.0.0.1:port, as
 * /proc/net/udp counts them: they reached the sink, which could not read them in time.
 */
export function socketDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const line = readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.trim().split(/\s+/)[1] === local);
  return line ? Number(line.trim().split(/\s+/).at(-1)) : 0;
}
