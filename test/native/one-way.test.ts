import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { PKTGEN_MAGIC } from '../helpers/udp-receiver.js';

// One-way figures (native/oneway.h): the reflector's answer block, its compatibility both ways, and
// the sender's figures on loopback.
const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native');
const emitterPath = path.join(nativeDir, 'build', 'pktgen-emit');
const ECHO_MAGIC = 0x5065;
const ASK = 0x50476f77; // "PGow"
const ANSWER = 0x50474f57; // "PGOW"

type JsonLine = Record<string, unknown>;
const jsonLines = (text: string): JsonLine[] => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonLine);

async function startReflector(args: string[] = [], bind = '127.0.0.1:0'): Promise<{ port: number; child: ResultPromise; stop(): Promise<JsonLine> }> {
  const child = execa(emitterPath, ['reflect', '--bind', bind, ...args], { reject: false, timeout: 60_000 });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const m = /"port":(\d+)/.exec(chunk.toString());
      if (m) resolve(Number(m[1]));
    });
    void child.then((r) => reject(new Error(`reflector exited ${r.exitCode}: ${String(r.stderr)}`)));
  });
  return {
    port,
    child,
    async stop() {
      child.kill('SIGTERM');
      return jsonLines(String((await child).stdout)).find((l) => l.event === 'summary')!;
    },
  };
}

async function send(args: string[]): Promise<{ exitCode: number | undefined; stderr: string; summary: JsonLine }> {
  const r = await execa(emitterPath, ['send', ...args], { reject: false, timeout: 30_000 });
  return { exitCode: r.exitCode, stderr: String(r.stderr), summary: jsonLines(String(r.stdout)).find((l) => l.event === 'summary')! };
}

/** A test packet of tag 7, seq 1: the header, then `body` bytes of 'a'; with `ask`, the one-way ask after the header. */
function packet(body: number, ask: boolean): Buffer {
  const b = Buffer.alloc(18 + body, 0x61);
  b.writeUInt16BE(PKTGEN_MAGIC, 0);
  b.writeUInt32BE(7, 2);
  b.writeUInt32BE(1, 6);
  b.writeBigUInt64BE(123456789n, 10);
  if (ask) {
    b.fill(0, 18, 58);
    b.writeUInt32BE(ASK, 18);
  }
  return b;
}

/** Sends each packet to the port and collects the replies (bounded wait). */
async function exchange(port: number, packets: Buffer[]): Promise<Buffer[]> {
  const socket = dgram.createSocket('udp4');
  const replies: Buffer[] = [];
  socket.on('message', (m) => replies.push(m));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  try {
    for (const p of packets) socket.send(p, port, '127.0.0.1');
    for (let waited = 0; waited < 3000 && replies.length < packets.length; waited += 20) await new Promise((r) => setTimeout(r, 20));
    return replies;
  } finally {
    socket.close();
  }
}

describe('pktgen-emit one-way figures (reflector answers, send --one-way)', function () {
  this.timeout(60_000);

  before(async function () {
    this.timeout(120_000);
    await execa('make', ['-C', nativeDir]);
  });

  it('answers an ask with its times and counts; leaves a packet that does not ask as it was (an old sender)', async () => {
    const reflector = await startReflector();
    const before = BigInt(Date.now()) * 1_000_000n;
    const [answered] = await exchange(reflector.port, [packet(100, true)]);
    const [plain] = await exchange(reflector.port, [packet(100, false)]);
    const [short] = await exchange(reflector.port, [packet(30, false)]);
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    const summary = await reflector.stop();

    assert.equal(answered!.readUInt16BE(0), ECHO_MAGIC);
    assert.equal(answered!.length, 118, 'an answer is the same size as the packet');
    assert.equal(answered!.readUInt32BE(18), ANSWER);
    const rxNs = answered!.readBigUInt64BE(26);
    const txNs = answered!.readBigUInt64BE(34);
    assert.ok(rxNs >= before && rxNs <= after, `receive time ${rxNs} is CLOCK_REALTIME (${before}..${after})`);
    assert.ok(txNs >= rxNs && txNs <= after, 'sent after it was received');
    assert.equal(answered!.readUInt32BE(42), 1, 'the first packet of tag 7 it received');
    assert.equal(answered!.readUInt32BE(46), 0, 'no echo of tag 7 dropped');
    assert.deepEqual(answered!.subarray(58), packet(100, true).subarray(58), 'the body after the block is untouched');
    // Without the ask, an old sender's echo is byte for byte what it always was.
    assert.deepEqual(plain!.subarray(2), packet(100, false).subarray(2));
    assert.deepEqual(short!.subarray(2), packet(30, false).subarray(2));
    assert.equal(summary.one_way_answers, 1);
  });

  it('reports forward and return loss, the reflector\'s drops, jitter and delays on one host', async () => {
    const reflector = await startReflector(['--drop-every', '25']);
    const run = await send(['--dst', `127.0.0.1:${reflector.port}`, '--rate', '4', '--duration', '2', '--size', '200-400', '--flows', '2', '--latency', '--one-way']);
    await reflector.stop();
    assert.equal(run.exitCode, 0, run.stderr);
    const ow = run.summary.one_way as Record<string, number | boolean | Record<string, number> | null>;
    const tx = run.summary.tx_packets as number;
    assert.ok((ow.answered as number) > 0.95 * tx * (24 / 25), `answered ${String(ow.answered)} of ${tx}`);
    // Everything reached the reflector; one in 25 it did not echo: its drops, not return loss.
    assert.equal(ow.fwd_loss, 0);
    assert.ok(ow.ret_loss! as number < 0.005, `return loss ${String(ow.ret_loss)}`);
    assert.ok(Math.abs((ow.reflector_dropped as number) - (ow.fwd_received as number) / 25) <= 2, `reflector_dropped ${String(ow.reflector_dropped)}`);
    assert.equal(ow.clocks_comparable, true);
    assert.ok((ow.fwd_jitter_us as number) >= 0 && (ow.ret_jitter_us as number) >= 0);
    const fwd = ow.fwd_delay_us as { samples: number; p50: number };
    const rtt = run.summary.rtt_us as Record<string, number>;
    assert.ok(fwd.samples > 0 && fwd.p50 > 0 && fwd.p50 < rtt.p50!, `forward delay p50 ${fwd.p50} us below the RTT p50 ${rtt.p50} us`);
  });

  it('with several sending threads: one stream each at the reflector, one merged set of figures', async () => {
    const reflector = await startReflector(['--drop-every', '25']);
    const run = await send(['--dst', `127.0.0.1:${reflector.port}`, '--rate', '8', '--duration', '1.5', '--size', '200', '--flows', '4', '--threads', '2', '--latency', '--one-way']);
    await reflector.stop();
    assert.equal(run.exitCode, 0, run.stderr);
    const ow = run.summary.one_way as Record<string, number | null>;
    const tx = run.summary.tx_packets as number;
    assert.ok(ow.fwd_sent! > 0.95 * tx, `fwd_sent ${ow.fwd_sent} of ${tx}: both threads counted`);
    // Counted per stream: the other thread's packets are not mistaken for this one's.
    assert.equal(ow.fwd_loss, 0);
    assert.ok(Math.abs(ow.reflector_dropped! - ow.fwd_received! / 25) <= 4, `reflector_dropped ${ow.reflector_dropped} of ${ow.fwd_received}`);
    assert.ok(ow.ret_loss! < 0.005, `return loss ${ow.ret_loss}`);
    assert.equal(typeof ow.fwd_jitter_us, 'number');
  });

  it('without --latency counts losses but reports no jitter or delay (null)', async () => {
    const reflector = await startReflector();
    const run = await send(['--dst', `127.0.0.1:${reflector.port}`, '--rate', '2', '--duration', '0.5', '--size', '104', '--one-way', '--random-payload']);
    await reflector.stop();
    const ow = run.summary.one_way as Record<string, unknown>;
    assert.equal(ow.answered, run.summary.tx_packets);
    assert.equal(ow.fwd_loss, 0);
    assert.equal(ow.fwd_jitter_us, null);
    assert.equal(ow.fwd_delay_us, null);
  });

  it('delays need comparable clocks: both ends declaring an offset are; only one declaring is not (jitter still measured)', async () => {
    const run = async (reflectorArgs: string[], senderArgs: string[]) => {
      const reflector = await startReflector(reflectorArgs);
      const r = await send(['--dst', `127.0.0.1:${reflector.port}`, '--rate', '1', '--duration', '0.5', '--size', '200', '--latency', '--one-way', ...senderArgs]);
      await reflector.stop();
      assert.equal(r.exitCode, 0, r.stderr);
      return r.summary.one_way as Record<string, unknown>;
    };
    // Both declare: the reflector says its clock is 3 ms ahead, the sender 1 ms; their stamps move apart by 2 ms.
    const both = await run(['--clock-offset-ns', '3000000'], ['--clock-offset-ns', '1000000']);
    assert.equal(both.clocks_comparable, true);
    const fwd = both.fwd_delay_us as { samples: number } | null;
    const ret = both.ret_delay_us as { p50: number } | null;
    // The forward stamps come out 2 ms early (negative: left out), the return ones 2 ms late.
    assert.ok((both.negative_delays as number) > 0 && (fwd === null || fwd.samples < (both.answered as number)), JSON.stringify(both));
    assert.ok(ret !== null && ret.p50 > 1900 && ret.p50 < 2500, `return delay ${JSON.stringify(ret)}: 2 ms of declared offset`);
    const one = await run(['--clock-offset-ns', '0'], []);
    assert.equal(one.clocks_comparable, false);
    assert.equal(one.fwd_delay_us, null);
    assert.equal(typeof one.fwd_jitter_us, 'number');
  });

  it('through an old reflector (a plain echo): says the ask came back unanswered', async () => {
    const echo = dgram.createSocket('udp4');
    echo.on('message', (m, from) => echo.send(m, from.port, from.address));
    echo.bind(0, '127.0.0.1');
    await once(echo, 'listening');
    try {
      const run = await send(['--dst', `127.0.0.1:${echo.address().port}`, '--rate', '1', '--duration', '0.3', '--size', '200', '--one-way']);
      assert.equal(run.exitCode, 0, run.stderr);
      const ow = run.summary.one_way as Record<string, unknown>;
      assert.equal(ow.answered, 0);
      assert.equal(ow.asked_back, run.summary.tx_packets);
      assert.equal(ow.fwd_loss, null);
      assert.equal(run.summary.rx_packets, run.summary.tx_packets, 'the round trip is measured as before');
    } finally {
      echo.close();
    }
  });

  it('a flood of asks under other tags from an allowed host neither resets a running job\'s counts nor fakes them', async () => {
    const reflector = await startReflector();
    // The attacker: any local user may send from 127.0.0.1, which the default --allow takes. Every
    // 10 ms, 300 asks under tags nobody uses (more than the reflector keeps counts for), bounded to 4 s.
    const attacker = dgram.createSocket('udp4');
    attacker.on('message', () => undefined);
    attacker.bind(0, '127.0.0.1');
    await once(attacker, 'listening');
    let stop = false;
    let tag = 1000;
    const flood = async () => {
      for (const until = Date.now() + 4000; !stop && Date.now() < until; await new Promise((r) => setTimeout(r, 10))) {
        for (let i = 0; i < 300; i++) {
          const p = packet(100, true);
          p.writeUInt32BE(tag++, 2);
          attacker.send(p, reflector.port, '127.0.0.1');
        }
      }
    };
    const oneWay = (run: { exitCode: number | undefined; stderr: string; summary: JsonLine }) => {
      assert.equal(run.exitCode, 0, run.stderr);
      assert.ok((run.summary.rx_packets as number) >= 0.99 * (run.summary.tx_packets as number), 'no round-trip loss on loopback');
      return run.summary.one_way as Record<string, number | null>;
    };
    let flooding: Promise<void> | undefined;
    try {
      // A job running before the flood keeps its counts: nothing is lost on loopback, and it says so.
      const running = send(['--dst', `127.0.0.1:${reflector.port}`, '--rate', '2', '--duration', '1.5', '--size', '200', '--one-way']);
      await new Promise((r) => setTimeout(r, 300));
      flooding = flood();
      const before = oneWay(await running);
      assert.equal(before.fwd_loss, 0, `forward loss: ${JSON.stringify(before)}`);
      assert.ok(typeof before.ret_loss === 'number' && before.ret_loss < 0.01, `return loss: ${JSON.stringify(before)}`);
      // A job that starts during the flood finds no room for its counts: no loss figures (null), never false ones.
      const during = oneWay(await send(['--dst', `127.0.0.1:${reflector.port}`, '--rate', '2', '--duration', '0.5', '--size', '200', '--one-way']));
      assert.ok((during.answered ?? 0) > 0.9 * (during.fwd_sent ?? during.answered ?? 0), JSON.stringify(during));
      assert.ok(during.fwd_loss === null || (during.fwd_loss ?? 1) < 0.01, `forward loss: ${JSON.stringify(during)}`);
      assert.ok(during.ret_loss === null || (during.ret_loss ?? 1) < 0.01, `return loss: ${JSON.stringify(during)}`);
    } finally {
      stop = true;
      await flooding;
      attacker.close();
      await reflector.stop();
    }
  });

  it('refuses frames without room for the block, naming the size needed (exit 2)', async () => {
    for (const [dst, size, need] of [['127.0.0.1:9', '64', '104'], ['[::1]:9', '110', '124']] as const) {
      const r = await execa(emitterPath, ['send', '--dst', dst, '--size', size, '--one-way'], { reject: false, timeout: 10_000 });
      assert.equal(r.exitCode, 2, String(r.stderr));
      assert.match(String(r.stderr), new RegExp(`^pktgen-emit: --size ${size}: --one-way .*needs frames of at least ${need} bytes`));
    }
  });
});
