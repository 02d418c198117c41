/**
 * A UDP relay that delays one direction: each datagram from a sender is held for a delay drawn at
 * random from --delays-ms before it goes on to --upstream (a reflector); what comes back goes to the
 * sender at once. It measures the delay it really induced (timers are late by a varying amount) and
 * the RFC 3550 interarrival jitter of those delays, in the order it sent them on.
 *
 *   node --import tsx delay-relay.ts --listen HOST:PORT --upstream HOST:PORT --delays-ms 0,1,2 --max-seconds 60
 *
 * Prints {"event":"listening","port":N} once bound and {"event":"relay",...} when it stops (SIGTERM,
 * or --max-seconds: every run is bounded).
 */
import dgram, { type Socket } from 'node:dgram';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { listen: { type: 'string' }, upstream: { type: 'string' }, 'delays-ms': { type: 'string' }, 'max-seconds': { type: 'string' } } });
const split = (text = ''): [string, number] => {
  const at = text.lastIndexOf(':');
  return [text.slice(0, at), Number(text.slice(at + 1))];
};
const [listenHost, listenPort] = split(values.listen);
const [upHost, upPort] = split(values.upstream);
const delays = (values['delays-ms'] ?? '0').split(',').map(Number);
const maxMs = Number(values['max-seconds'] ?? '60') * 1000;

const front = dgram.createSocket('udp4');
const upstream = new Map<string, Socket>();
let forwarded = 0;
let returned = 0;
let jitterNs = 0;
let prevDelayNs: bigint | undefined;
let sumDelayNs = 0n;

function towardReflector(sender: dgram.RemoteInfo): Socket {
  const key = `${sender.address}:${sender.port}`;
  let socket = upstream.get(key);
  if (!socket) {
    socket = dgram.createSocket('udp4');
    socket.on('message', (echo) => {
      returned++;
      front.send(echo, sender.port, sender.address);
    });
    socket.bind(0, listenHost);
    upstream.set(key, socket);
  }
  return socket;
}

function forward(socket: Socket, message: Buffer, arrived: bigint): void {
  const delay = process.hrtime.bigint() - arrived;
  // RFC 3550: J += (|D| - J) / 16, D the difference of consecutive delays (transit times).
  if (prevDelayNs !== undefined) {
    const d = Number(delay - prevDelayNs);
    jitterNs += (Math.abs(d) - jitterNs) / 16;
  }
  prevDelayNs = delay;
  sumDelayNs += delay;
  forwarded++;
  socket.send(message, upPort, upHost);
}

front.on('message', (message, sender) => {
  const arrived = process.hrtime.bigint();
  const socket = towardReflector(sender);
  const delayMs = delays[Math.floor(Math.random() * delays.length)]!;
  if (delayMs === 0) forward(socket, message, arrived);
  else setTimeout(() => forward(socket, message, arrived), delayMs);
});

function stop(): void {
  const meanUs = forwarded ? Number(sumDelayNs / BigInt(forwarded)) / 1000 : 0;
  process.stdout.write(`${JSON.stringify({ event: 'relay', forwarded, returned, jitter_us: jitterNs / 1000, mean_delay_us: meanUs })}\n`);
  front.close();
  for (const socket of upstream.values()) socket.close();
  process.exit(0);
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(stop, maxMs);
front.bind(listenPort, listenHost, () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: front.address().port })}\n`);
});
