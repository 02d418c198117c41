import { decodeRequest, encodeResponse, type ControlJob, type ControlNode, type ControlRequest, type ControlResponse } from '../protocol/control.js';
import { startFrameServer, type FrameServer } from '../transport/server.js';
import type { Allowlist } from '../transport/allowlist.js';
import type { Logger } from '../log.js';
import { PktgenError, describeError } from '../errors.js';
import { validateJobData } from './job-data.js';
import { checkNodeName, isHost, parseReflector, parseTarget } from './endpoints.js';
import { DEFAULT_GRACE_S, DEFAULT_NODE_PORT } from './files.js';
import { takeSnapshot } from './snapshot.js';
import type { NewNode } from './core.js';
import type { SchedulerService } from './service.js';

/** A control request the scheduler refuses; travels back as {code, message}. */
export class ControlRequestError extends PktgenError {}

const fail = (code: string, message: string): never => {
  throw new ControlRequestError(code, message);
};

/**
 * Applies one control request to the scheduler: everything is checked first, so a bad request
 * changes nothing; then nodes, jobs, cancellations and pause changes are applied, in that order.
 */
export async function handleControl(service: SchedulerService, request: ControlRequest): Promise<ControlResponse> {
  try {
    const known = new Set([...service.core.state.nodes.keys(), ...request.add_nodes.map((n) => n.name)]);
    const nodes = request.add_nodes.map((node, i) => checkNode(node, `add_nodes[${i}]`));
    const jobs = request.add_jobs.map((job, i) => checkJob(job, `add_jobs[${i}]`, known));
    for (const id of request.cancel) {
      if (!service.core.state.jobs.has(id)) fail('ERR_UNKNOWN_JOB', `cancel ${id}: no such job`);
    }
    for (const name of [request.pause_node, request.resume_node].filter(Boolean)) {
      if (!known.has(name)) fail('ERR_UNKNOWN_NODE', `node ${name}: no such node`);
    }
    await service.addNodes(nodes);
    const jobIds = jobs.length > 0 ? service.addJobs(jobs) : [];
    for (const id of request.cancel) service.cancel(id);
    if (request.pause_node) service.setPaused(request.pause_node, true);
    if (request.resume_node) service.setPaused(request.resume_node, false);
    const snapshot = request.query
      ? takeSnapshot(service, { ids: request.job_ids, node: request.node, state: request.state, limit: request.limit })
      : { nodes: [], jobs: [], jobs_total: 0 };
    return { job_ids: jobIds, ...snapshot };
  } catch (error) {
    const code = error instanceof PktgenError ? error.code : 'ERR_INTERNAL';
    return { error: { code, message: describeError(error) }, job_ids: [], nodes: [], jobs: [], jobs_total: 0 };
  }
}

function checkNode(node: ControlNode, where: string): NewNode {
  const name = checkNodeName(node.name, `${where}.name`);
  if (!isHost(node.host)) fail('ERR_INPUT', `${where}.host = ${JSON.stringify(node.host)}: expected an IP address or host name`);
  if (node.port < 0 || node.port > 65535) fail('ERR_INPUT', `${where}.port = ${node.port}: expected 1..65535`);
  const spec: NewNode = { name, host: node.host, port: node.port || DEFAULT_NODE_PORT };
  if (node.reflector) spec.reflector = parseReflector(node.reflector, node.host, `${where}.reflector`);
  return spec;
}

function checkJob(job: ControlJob, where: string, known: ReadonlySet<string>) {
  const nodes = job.all_nodes ? [...known] : job.nodes;
  if (nodes.length === 0) fail('ERR_INPUT', job.all_nodes ? `${where}: no nodes to run on` : `${where}.nodes: expected at least one node (or all_nodes)`);
  nodes.forEach((name, i) => checkNodeName(name, `${where}.nodes[${i}]`, known));
  if (!Number.isInteger(job.retries) || job.retries < 0 || job.retries > 100) fail('ERR_INPUT', `${where}.retries = ${job.retries}: expected 0..100`);
  if (!(job.timeout_s >= 0 && job.timeout_s <= 86_400)) fail('ERR_INPUT', `${where}.timeout_s = ${job.timeout_s}: expected 0..86400 (0 = default)`);
  return {
    nodes,
    priority: job.priority,
    data: validateJobData(job.data, `${where}.data`),
    target: job.target ? parseTarget(job.target, `${where}.target`, known) : '',
    graceS: job.timeout_s || DEFAULT_GRACE_S,
    retries: job.retries,
  };
}

/** Settings of the control listener. */
export interface ControlServerOptions {
  host: string;
  port: number;
  allow: Allowlist;
  log: Logger;
}

/** Serves the control API: one request frame in, one response frame out, per connection. */
export async function startControlServer(service: SchedulerService, options: ControlServerOptions): Promise<FrameServer> {
  return startFrameServer({
    host: options.host,
    port: options.port,
    maxConnections: 64,
    accept: (peer) => {
      if (options.allow.allows(peer.remoteAddress)) return true;
      options.log.warn(`refused control connection from ${peer.remoteAddress}: not in --control-allow (${options.allow})`);
      return false;
    },
    handler: async (payload) => encodeResponse(await handleControl(service, decodeRequest(payload))),
    onError: (error, peer) => options.log.warn(`dropped control connection from ${peer.remoteAddress}: ${describeError(error)}`),
  });
}
