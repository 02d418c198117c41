import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startUdpReceiver } from '../helpers/udp-receiver.js';

const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native');
const emitterPath = path.join(nativeDir, 'build', 'pktgen-emit');

type JsonLine = Record<string, unknown>;
const jsonLines = (text: string): JsonLine[] => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonLine);

// Names of our own: two namespaces joined by a veth pair, with RFC 2544 benchmark addresses.
const tag = `${process.pid % 100000}`;
const nsA = `pgt-raw-a-${tag}`;
const nsB = `pgt-raw-b-${tag}`;
const vethA = `pgra${tag}`;
const vethB = `pgrb${tag}`;
const addrA = '198.18.0.1';
const addrB = '198.18.0.2';

async function sh(args: string[], timeout = 10_000) {
  return execa(args[0]!, args.slice(1), { reject: false, timeout });
}

async function removeNamespaces(): Promise<void> {
  // Deleting a namespace deletes the veth end inside it, and with it the pair.
  await sh(['ip', 'netns', 'del', nsA]);
  await sh(['ip', 'netns', 'del', nsB]);
}

/** Makes the pair; returns why not when this machine or user cannot. */
async function makeNamespaces(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root';
  const steps = [
    ['ip', 'netns', 'add', nsA],
    ['ip', 'netns', 'add', nsB],
    ['ip', 'link', 'add', vethA, 'netns', nsA, 'type', 'veth', 'peer', 'name', vethB, 'netns', nsB],
    ['ip', '-n', nsA, 'addr', 'add', `${addrA}/30`, 'dev', vethA],
    ['ip', '-n', nsB, 'addr', 'add', `${addrB}/30`, 'dev', vethB],
    ['ip', '-n', nsA, 'link', 'set', vethA, 'up'],
    ['ip', '-n', nsB, 'link', 'set', vethB, 'up'],
  ];
  for (const step of steps) {
    const r = await sh(step).catch((error: Error) => ({ exitCode: -1, stderr: error.message }));
    if (r.exitCode !== 0) return `${step.join(' ')}: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`;
  }
  return undefined;
}

async function udpCounters(ns: string): Promise<Record<string, number>> {
  const r = await sh(['ip', 'netns', 'exec', ns, 'cat', '/proc/net/snmp']);
  const [names, values] = String(r.stdout).split('\n').filter((l) => l.startsWith('Udp:')).map((l) => l.split(/\s+/).slice(1));
  return Object.fromEntries(names!.map((n, i) => [n, Number(values![i])]));
}

describe('pktgen-emit send --interface (raw mode)', function () {
  this.timeout(60_000);

  before(async function () {
    this.timeout(120_000);
    await execa('make', ['-C', nativeDir]);
  });

  describe('through a veth pair into a second namespace (as root)', () => {
    let verifiesChecksums = false;

    before(async function () {
      await removeNamespaces();
      const why = await makeNamespaces();
      if (why) {
        await removeNamespaces();
        console.log(`      skipped: cannot create network namespaces here (${why}); run as root with iproute2`);
        this.skip();
      }
      // veth marks frames from AF_PACKET "checksum unnecessary" unless rx offload is off: then the
      // receiving kernel really checks both checksums (ethtool; Debian package ethtool).
      verifiesChecksums = (await sh(['ip', 'netns', 'exec', nsB, 'ethtool', '-K', vethB, 'rx', 'off'])).exitCode === 0;
    });
    after(removeNamespaces);

    it('sends frames the receiving kernel accepts (checksums checked), and measures their echoes', async function () {
      const reflector = execa('ip', ['netns', 'exec', nsB, emitterPath, 'reflect', '--bind', `${addrB}:0`, '--allow', '198.18.0.0/15'],
        { reject: false, timeout: 30_000 });
      try {
        const port = await new Promise<number>((resolve, reject) => {
          reflector.stdout.on('data', (chunk: Buffer) => {
            const m = /"port":(\d+)/.exec(chunk.toString());
            if (m) resolve(Number(m[1]));
          });
          void reflector.then((r) => reject(new Error(`reflector exited: ${String(r.stderr)}`)));
        });
        const before = await udpCounters(nsB);
        const send = async (args: string[]): Promise<JsonLine> => {
          const run = await execa('ip', ['netns', 'exec', nsA, emitterPath, 'send', '--interface', vethA, '--dst', `${addrB}:${port}`,
            '--duration', '1', ...args], { reject: false, timeout: 30_000 });
          assert.equal(run.exitCode, 0, String(run.stderr));
          const summary = jsonLines(String(run.stdout)).find((l) => l.event === 'summary')!;
          assert.equal(summary.mode, 'raw');
          assert.equal(summary.rx_packets, summary.tx_packets, `${args.join(' ')}: every echo came back`);
          return summary;
        };
        // Random sizes and payloads, stamped one by one; then one size of the fixed pattern.
        const stamped = await send(['--rate', '20', '--size', '64-1500', '--random-payload', '--latency']);
        const fixed = await send(['--rate', '50', '--size', '1000']);
        // The one-way block is part of the UDP checksum too; the reflector answers it.
        const oneWay = await send(['--rate', '10', '--size', '104-1500', '--random-payload', '--latency', '--one-way']);
        assert.equal((oneWay.one_way as JsonLine).answered, oneWay.tx_packets);
        assert.equal((oneWay.one_way as JsonLine).fwd_loss, 0);
        const after = await udpCounters(nsB);
        reflector.kill('SIGTERM');
        const reflected = jsonLines(String((await reflector).stdout)).find((l) => l.event === 'summary')!;

        const tx = (stamped.tx_packets as number) + (fixed.tx_packets as number) + (oneWay.tx_packets as number);
        assert.ok((stamped.tx_packets as number) > 1000 && (fixed.tx_packets as number) > 1000, `tx_packets ${tx}`);
        assert.equal(after.InCsumErrors! - before.InCsumErrors!, 0, 'no checksum errors at the receiver');
        assert.equal(reflected.echoed, tx, 'every frame reached the reflector socket in the other namespace');
        assert.ok(after.InDatagrams! - before.InDatagrams! >= tx);
        assert.equal((stamped.rtt_us as JsonLine).samples, stamped.tx_packets);
        if (!verifiesChecksums) console.log('      note: ethtool missing, veth rx checksum offload stayed on: checksums not verified');
      } finally {
        reflector.kill('SIGKILL');
        await reflector;
      }
    });

    it('refuses an interface that cannot reach --dst (exit 2, nothing sent)', async () => {
      const run = await sh(['ip', 'netns', 'exec', nsA, emitterPath, 'send', '--interface', 'lo', '--dst', `${addrB}:9`, '--duration', '0.1']);
      assert.equal(run.exitCode, 2, String(run.stderr));
      assert.match(String(run.stderr), /--interface lo: a loopback interface reaches 127\.0\.0\.0\/8 only/);
      const other = await sh(['ip', 'netns', 'exec', nsA, emitterPath, 'send', '--interface', 'nosuch0', '--dst', `${addrB}:9`]);
      assert.equal(other.exitCode, 2);
      assert.match(String(other.stderr), /--interface nosuch0: no such interface/);
    });
  });

  it('falls back to UDP without CAP_NET_RAW, and says so on stderr and in the summary', async function () {
    let prefix: string[] = [];
    if (process.getuid?.() === 0) {
      // Root keeps every capability in its bounding set: drop CAP_NET_RAW from it for the child.
      if ((await sh(['setpriv', '--bounding-set=-net_raw', 'true'])).exitCode !== 0) {
        console.log('      skipped: running as root and setpriv (util-linux) cannot drop CAP_NET_RAW');
        this.skip();
      }
      prefix = ['setpriv', '--bounding-set=-net_raw'];
    }
    const rx = await startUdpReceiver();
    try {
      const args = [...prefix, emitterPath, 'send', '--interface', 'lo', '--dst', rx.target, '--rate', '1', '--duration', '0.2', '--size', '100'];
      const run = await sh(args);
      assert.equal(run.exitCode, 0, String(run.stderr));
      assert.match(String(run.stderr), /^pktgen-emit: warning: --interface lo: raw mode needs CAP_NET_RAW: sending through UDP sockets instead$/);
      const summary = jsonLines(String(run.stdout)).find((l) => l.event === 'summary')!;
      assert.equal(summary.mode, 'udp-gso');
      assert.equal(summary.fallback, 'raw mode needs CAP_NET_RAW');
      await rx.waitForQuiet();
      assert.equal(rx.packets.length, summary.tx_packets);
    } finally {
      await rx.close();
    }
  });
});
