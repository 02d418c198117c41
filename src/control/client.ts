import { decodeResponse, encodeRequest, type ControlRequest, type ControlResponse } from '../protocol/control-messages.js';
import { sendFrame } from '../transport/client.js';
import { TransportError } from '../transport/errors.js';
import { formatAddress, type Address } from '../transport/address.js';
import { PeerError, UserError } from '../errors.js';
import type { ClusterKey } from '../security/cluster-key.js';
import { CONTROL_SKEW_MS, openResponse, sealRequest } from './auth.js';

/** Codes of refusals the user can fix: they exit 2 like any bad input. */
const USER_CODES = new Set(['ERR_INPUT', 'ERR_UNKNOWN_NODE', 'ERR_UNKNOWN_JOB', 'ERR_ADDRESS', 'ERR_LIMIT']);

/** A scheduler's control API, and the cluster key that proves a request to it. */
export interface ControlPeer {
  address: Address;
  key: ClusterKey;
}

/**
 * Sends one control request, sealed with the key (see ControlGuard), and returns the response once
 * its MAC proves the scheduler holds the key too. A refusal comes back as a typed error (UserError for
 * input the user can fix), an unreachable scheduler as a PeerError that says how to start one.
 */
export async function controlRequest(peer: ControlPeer, request: Partial<ControlRequest>): Promise<ControlResponse> {
  const { address, key } = peer;
  const sealed = sealRequest(key, encodeRequest(request));
  let reply: Buffer | undefined;
  try {
    reply = await sendFrame(address, sealed.frame, { expectReply: true, connectTimeoutMs: 3000, ioTimeoutMs: 15_000, maxFrameBytes: 64 * 1024 * 1024 });
  } catch (error) {
    if (error instanceof TransportError && error.code === 'ERR_CONNECT') {
      throw new PeerError('ERR_SCHEDULER_UNREACHABLE',
        `cannot reach a scheduler at ${formatAddress(address)} (${error.message.replace(/^.*?: /, '')}); start one with "pktgen schedule -n nodes.json" or pass --scheduler HOST:PORT`);
    }
    throw error;
  }
  const opened = openResponse(key, sealed.nonce, reply!);
  if ('error' in opened) {
    // Unauthenticated, so it can only refuse. ERR_AUTH: the scheduler could not check the request.
    const hint = opened.error.code === 'ERR_AUTH'
      ? `; this host's key (${key.source}) must be a copy of the scheduler's, and the clocks of both hosts must agree within ${CONTROL_SKEW_MS / 1000} s` : '';
    const text = `the scheduler at ${formatAddress(address)} refused the request: ${opened.error.message}${hint}`;
    // A request too large to be read is refused before its proof is checked: still input the user can split.
    if (USER_CODES.has(opened.error.code)) throw new UserError(text, opened.error.code);
    throw new PeerError(opened.error.code, text);
  }
  if ('unproven' in opened) {
    throw new PeerError('ERR_AUTH', `the reply from ${formatAddress(address)} does not prove the cluster key: is it a pktgen scheduler with control authentication, holding the same key as ${key.source}?`);
  }
  const response = decodeResponse(opened.body);
  if (response.error) {
    const { code, message } = response.error;
    if (USER_CODES.has(code)) throw new UserError(message, code);
    throw new PeerError(code, `the scheduler at ${formatAddress(address)} refused the request: ${message}`);
  }
  return response;
}
