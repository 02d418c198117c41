import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PKTGEN, freePort, pktgenEnv, requireBinary, spawnPktgen, waitForOutput } from './binary.js';
import { socketDrops, startUdpReceiver, type ReceivedPacket, type UdpReceiver } from './udp-receiver.js';

/** What a pktgen command printed and how it exited. */
export interface CliResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/**
 * One scheduler and one node (m0) of the built binary on 127.0.0.1, the node sending to a UDP sink
 * of this process: what a job sends is counted where it arrives, not as the node reports it.
 */
export interface Testbed {
  readonly sink: UdpReceiver;
  /** Runs `pktgen ARGS --scheduler <this scheduler>`; never rejects. */
  cli(...args: string[]): Promise<CliResult>;
  /**
   * Runs `submit ARGS --node m0 --wait --json` and returns what reached the sink meanwhile: the
   * packets read, and the datagrams the sink's socket dropped at a full buffer (they arrived too).
   */
  runJob(...args: string[]): Promise<{ result: CliResult; packets: ReceivedPacket[]; dropped: number }>;
  close(): Promise<void>;
}

/** Starts the sink, `pktgen serve` as m0 (target: the sink) and `pktgen schedule` knowing it. */
export async function startTestbed(): Promise<Testbed> {
  requireBinary();
  const dir = mkdtempSync(join(tmpdir(), 'pktgen-testbed-'));
  const sink = await startUdpReceiver();
  const children: Array<ReturnType<typeof spawnPktgen>> = [];
  const close = async (): Promise<void> => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children);
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const [nodePort, schedulerPort, controlPort] = [await freePort(), await freePort(), await freePort()];
  try {
    const serve = spawnPktgen(['serve', '--host', '127.0.0.1', '--port', String(nodePort), '--name', 'm0',
      '--scheduler-port', String(schedulerPort), '--target', sink.target, '--reflect-port', '0']);
    children.push(serve);
    await waitForOutput(serve, /listening on/);
    writeFileSync(join(dir, 'nodes.json'), JSON.stringify({ nodes: [{ name: 'm0', ip: '127.0.0.1', port: nodePort }] }));
    const schedule = spawnPktgen(['schedule', '-n', join(dir, 'nodes.json'), '--host', '127.0.0.1', '--port', String(schedulerPort),
      '--control-port', String(controlPort), '--state-dir', join(dir, 'state')]);
    children.push(schedule);
    await waitForOutput(schedule, /pktgen scheduler listening on/);
  } catch (error) {
    await close();
    throw error;
  }
  const control = `127.0.0.1:${controlPort}`;
  const cli = async (...args: string[]): Promise<CliResult> => {
    const { exitCode, stdout, stderr } = await execa(PKTGEN, [...args, '--scheduler', control], { reject: false, env: pktgenEnv() });
    return { exitCode, stdout, stderr };
  };
  return {
    sink,
    cli,
    async runJob(...args) {
      const before = sink.packets.length;
      const droppedBefore = socketDrops(sink.port);
      const result = await cli('submit', '--node', 'm0', ...args, '--wait', '--json');
      await sink.waitForQuiet(300);
      return { result, packets: sink.packets.slice(before), dropped: socketDrops(sink.port) - droppedBefore };
    },
    close,
  };
}
