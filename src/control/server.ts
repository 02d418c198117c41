import { decodeRequest, encodeResponse, type ControlRequest, type ControlResponse, type JobRequest, type NodeRequest, type SearchRequest } from '../protocol/control-messages.js';
import { parseSearch, type SearchSpec } from '../input/search.js';
import { searchInfo } from './search-view.js';
import { PORTS } from '../protocol/ports.js';
import { startFrameServer, type FrameServer } from '../transport/server.js';
import type { Allowlist } from '../transport/allowlist.js';
import type { ClusterKey } from '../security/cluster-key.js';
import type { Logger } from '../log.js';
import { LogLimiter, connectionErrorLog } from '../log-limit.js';
import { PktgenError, describeError } from '../errors.js';
import { parseJob, type JobSpec } from '../input/job.js';
import { inputError } from '../input/json.js';
import { checkNodeName, isHost, parseReflector } from '../input/endpoints.js';
import { queuedAhead, takeSnapshot } from '../scheduler/snapshot.js';
import type { NewNode } from '../scheduler/core.js';
import type { SchedulerService } from '../scheduler/service.js';
import { ControlGuard } from './auth.js';
import { DEFAULT_CONTROL_LIMITS, checkJobsPerRequest, checkNodes, checkQueued, checkRequestSize, oversizeResponse, type ControlLimits } from './limits.js';

/** A control request the scheduler refuses; travels back as {code, message}. */
export class ControlRequestError extends PktgenError {}

const fail = (code: string, message: string): never => {
  throw new ControlRequestError(code, message);
};

/**
 * Applies one control request to the scheduler: everything is checked first, `limits` included
 * (control/limits.ts), so a bad request changes nothing; then nodes, jobs, cancellations, node
 * cancellations, node removals and pause changes are saved and applied, in that order
 * (SchedulerService.submit: one the store refuses changes nothing either).
 */
export async function handleControl(service: SchedulerService, request: ControlRequest, limits = DEFAULT_CONTROL_LIMITS): Promise<ControlResponse> {
  try {
    checkRequestSize(request.add_nodes.length, request.add_jobs.length, limits);
    const known = new Set([...service.core.state.nodes.keys(), ...request.add_nodes.map((n) => n.name)]);
    // Nodes on the legacy wire take only whole Mbit/s: a finer rate is refused for them here, at once.
    const legacy = new Set([...service.core.state.nodes.values()].filter((n) => service.isLegacy(n)).map((n) => n.name));
    for (const n of request.add_nodes) if (n.legacy) legacy.add(n.name);
    const nodes = request.add_nodes.map((node, i) => checkNode(node, `add_nodes[${i}]`));
    checkNodes(service.core, nodes, limits);
    let jobCount = 0;
    const jobs = request.add_jobs.map((job, i) => {
      const spec = checkJob(job, i, known, legacy);
      // Counted as they are checked: an all_nodes job repeated 10,000 times must not be expanded first.
      checkJobsPerRequest((jobCount += spec.nodes.length), limits);
      return spec;
    });
    checkQueued(service.core, jobs, limits);
    for (const id of request.cancel) {
      if (!service.core.state.jobs.has(id)) fail('ERR_UNKNOWN_JOB', `cancel ${id}: no such job`);
    }
    for (const name of [request.pause_node, request.resume_node].filter(Boolean)) {
      if (!known.has(name)) fail('ERR_UNKNOWN_NODE', `node ${name}: no such node`);
    }
    for (const [flag, names] of [['cancel_nodes', request.cancel_nodes], ['remove_nodes', request.remove_nodes]] as const) {
      for (const name of names) if (!known.has(name)) fail('ERR_UNKNOWN_NODE', `${flag}: node ${name}: no such node`);
    }
    const pause = [
      ...(request.pause_node ? [{ node: request.pause_node, paused: true }] : []),
      ...(request.resume_node ? [{ node: request.resume_node, paused: false }] : []),
    ];
    const search = request.search ? checkSearch(request.search, known, legacy) : undefined;
    // A search queues one trial job at a time on its node: that job counts like any other, so that
    // searches cannot queue past --max-queued and --max-queued-per-node.
    if (search) checkQueued(service.core, [...jobs, { nodes: [search.node] }], limits, 'search');
    // A query alone changes nothing and is answered from memory, even while the store cannot save.
    const changes = nodes.length + jobs.length + request.cancel.length + request.cancel_nodes.length + request.remove_nodes.length + pause.length > 0;
    // Refuses a node at another's HOST:PORT, and a request the store cannot save, before anything is applied.
    const { jobIds, cancelled } = changes
      ? await service.submit({ nodes, jobs, cancel: request.cancel, cancelNodes: request.cancel_nodes, removeNodes: request.remove_nodes, pause }, (i) => `add_nodes[${i}]`)
      : { jobIds: [], cancelled: [] };
    const snapshot = request.query
      ? takeSnapshot(service, { ids: request.job_ids, node: request.node, states: request.states, limit: request.limit })
      : { nodes: [], jobs: [], jobs_total: 0 };
    const started = search ? await service.searches.start(search) : undefined;
    const response: ControlResponse = { job_ids: jobIds, ...snapshot, store_error: service.storeProblem() ?? '' };
    if (started) response.searches = [searchInfo(started)];
    else if (request.query && service.searches.list().length > 0) response.searches = service.searches.list().map(searchInfo);
    if (cancelled.length > 0) response.cancelled = cancelled;
    if (request.explain) response.queued_ahead = queuedAhead(service.core, snapshot.jobs.map((job) => job.id));
    return response;
  } catch (error) {
    const code = error instanceof PktgenError ? error.code : 'ERR_INTERNAL';
    return { error: { code, message: describeError(error) }, job_ids: [], nodes: [], jobs: [], jobs_total: 0, store_error: service.storeProblem() ?? '' };
  }
}

function checkNode(node: NodeRequest, where: string): NewNode {
  const name = checkNodeName(node.name, `${where}.name`);
  if (!isHost(node.host)) throw inputError(`${where}.host`, node.host, 'expected an IP address or host name');
  if (node.port < 0 || node.port > 65535) throw inputError(`${where}.port`, node.port, 'expected 1..65535 (0 = the default)');
  const spec: NewNode = { name, host: node.host, port: node.port || PORTS.node };
  if (node.legacy) spec.legacy = true;
  if (node.reflector) spec.reflector = parseReflector(node.reflector, node.host, `${where}.reflector`);
  return spec;
}

/** A job as the client sent it, checked by the one job schema; errors name it as the client asked. */
function checkJob(job: JobRequest, index: number, known: ReadonlySet<string>, legacy: ReadonlySet<string>): JobSpec {
  // The client's own name for the job (a file and path, "submit"); one line, not too long.
  const where = job.where.replace(/[\p{Cc}\p{Cf}]/gu, ' ').slice(0, 200) || `add_jobs[${index}]`;
  let item: unknown;
  try {
    item = JSON.parse(job.json);
  } catch (error) {
    throw inputError(where, job.json, `expected a job as JSON (${(error as Error).message})`);
  }
  return parseJob(item, where, { known, allNodes: job.all_nodes, legacy });
}

/** A search as the client sent it, checked by the one search schema; errors name it as the client asked. */
function checkSearch(search: SearchRequest, known: ReadonlySet<string>, legacy: ReadonlySet<string>): SearchSpec {
  const where = search.where.replace(/[\p{Cc}\p{Cf}]/gu, ' ').slice(0, 200) || 'search';
  let item: unknown;
  try {
    item = JSON.parse(search.json);
  } catch (error) {
    throw inputError(where, search.json, `expected a search as JSON (${(error as Error).message})`);
  }
  return parseSearch(item, where, { known, legacy });
}

/** Settings of the control listener. */
export interface ControlServerOptions {
  host: string;
  port: number;
  allow: Allowlist;
  /** Every request must prove it (see ControlGuard); responses are MAC'd with it. */
  key: ClusterKey;
  log: Logger;
  limits?: ControlLimits;
}

/**
 * Serves the control API: one request frame in, one response frame out, per connection. A request
 * that does not prove the cluster key, or is stale or replayed, gets a refusal and changes nothing.
 */
export async function startControlServer(service: SchedulerService, options: ControlServerOptions): Promise<FrameServer> {
  const guard = new ControlGuard(options.key);
  const limits = options.limits ?? DEFAULT_CONTROL_LIMITS;
  // Anyone who can reach the port can provoke these lines: at most a few per kind and interval.
  const refusals = new LogLimiter(options.log);
  return startFrameServer({
    host: options.host,
    port: options.port,
    maxConnections: 64,
    // The request size limit, checked on the announced length: an oversize request is never read.
    maxFrameBytes: limits.requestBytes,
    refuseOversize: oversizeResponse(limits),
    accept: (peer) => {
      if (options.allow.allows(peer.remoteAddress)) return true;
      refusals.warn('refused control connection (not in --control-allow)', `refused control connection from ${peer.remoteAddress}: not in --control-allow (${options.allow})`);
      return false;
    },
    handler: async (payload, peer) => {
      const opened = guard.open(payload, Date.now());
      if (!opened.ok) {
        refusals.warn('refused control request (not authenticated)', `refused control request from ${peer.remoteAddress}: ${opened.reason}`);
        return opened.reply;
      }
      return guard.seal(opened.nonce, encodeResponse(await handleControl(service, decodeRequest(opened.body), limits)));
    },
    onError: connectionErrorLog(refusals, 'control connection'),
  });
}
