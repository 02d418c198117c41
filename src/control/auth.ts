import { randomBytes } from 'node:crypto';
import { decodeEnvelope, encodeEnvelope, encodeResponse, type ControlEnvelope } from '../protocol/control-messages.js';
import type { ClusterKey } from '../security/cluster-key.js';
import { ReplayCache } from '../security/replay-cache.js';

// The control API's proof of the cluster key: proto/pktgen.proto, ControlEnvelope, says what is
// MAC'd and what the scheduler checks; README "Security" says why.

/** Largest difference between a request's time and the scheduler's clock. */
export const CONTROL_SKEW_MS = 30_000;
/** How long a nonce is remembered: a request is fresh for SKEW either side of its time. */
export const NONCE_WINDOW_MS = 2 * CONTROL_SKEW_MS;
/** Nonces remembered at most: 100,000 requests a minute, about 10 MB. */
export const MAX_NONCES = 100_000;
const NONCE_BYTES = 16;
const MAC_BYTES = 32;
// Distinct labels: a request's MAC is never a valid response MAC, nor the other way round.
const REQUEST_LABEL = 'pktgen control request v1';
const RESPONSE_LABEL = 'pktgen control response v1';

/** The one refusal text for every failed check: it tells an outsider nothing about which failed. */
export const AUTH_REFUSAL = 'authentication failed: the request does not prove the cluster key, or it is stale or replayed';

const timeBytes = (timeMs: number): Buffer => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(timeMs));
  return bytes;
};

/** Wraps an encoded request with a new nonce, the time and the MAC; the nonce binds the response. */
export function sealRequest(key: ClusterKey, body: Uint8Array, nowMs = Date.now(), nonce: Uint8Array = randomBytes(NONCE_BYTES)): { frame: Uint8Array; nonce: Uint8Array } {
  const mac = key.hmac(REQUEST_LABEL, nonce, timeBytes(nowMs), body);
  return { frame: encodeEnvelope({ body, nonce, time_ms: nowMs, mac }), nonce };
}

/**
 * A reply to a sealed request: its body when its MAC proves the key and binds it to `nonce`; a
 * refusal the scheduler could not authenticate (`error`); or neither (`unproven`).
 */
export function openResponse(key: ClusterKey, nonce: Uint8Array, frame: Uint8Array): { body: Uint8Array } | { error: { code: string; message: string } } | { unproven: true } {
  let envelope: ControlEnvelope;
  try {
    envelope = decodeEnvelope(frame);
  } catch {
    return { unproven: true };
  }
  if (envelope.mac.length > 0 && key.verify(envelope.mac, RESPONSE_LABEL, nonce, envelope.body)) return { body: envelope.body };
  return envelope.error ? { error: envelope.error } : { unproven: true };
}

/** What the scheduler made of a request frame: its body, or the reason it was refused and the reply. */
export type OpenedRequest = { ok: true; body: Uint8Array; nonce: Uint8Array } | { ok: false; reason: string; reply: Uint8Array };

/** The scheduler's side: checks request frames and seals responses (see ControlEnvelope). */
export class ControlGuard {
  private readonly seen: ReplayCache;
  private readonly refusal = encodeEnvelope({ error: { code: 'ERR_AUTH', message: AUTH_REFUSAL } });

  constructor(private readonly key: ClusterKey, maxNonces = MAX_NONCES) {
    this.seen = new ReplayCache(NONCE_WINDOW_MS, maxNonces);
  }

  /** Checks a request frame received at `nowMs`; `reason` is for the scheduler's log only. */
  open(frame: Uint8Array, nowMs: number): OpenedRequest {
    let envelope: ControlEnvelope;
    try {
      envelope = decodeEnvelope(frame);
    } catch {
      return this.refuse('not a control envelope');
    }
    const { body, nonce, time_ms: timeMs, mac } = envelope;
    if (nonce.length !== NONCE_BYTES || mac.length !== MAC_BYTES || !Number.isSafeInteger(timeMs)) return this.refuse('no proof of the key: a client without control authentication?');
    if (!this.key.verify(mac, REQUEST_LABEL, nonce, timeBytes(timeMs), body)) return this.refuse('wrong key');
    const skewMs = timeMs - nowMs;
    if (Math.abs(skewMs) > CONTROL_SKEW_MS) return this.refuse(`stale: the client's clock is ${Math.round(skewMs / 1000)} s off this one's (limit ${CONTROL_SKEW_MS / 1000} s)`);
    const verdict = this.seen.record(nonce, nowMs);
    if (verdict === 'replayed') return this.refuse('replayed: its nonce was seen in the last minute');
    if (verdict === 'full') {
      // Authentic, but nowhere to remember its nonce: refused (said so under the MAC), for a request
      // applied without its nonce remembered could be applied again by a replay.
      const message = `more than ${this.seen.maxEntries} control requests in ${NONCE_WINDOW_MS / 1000} s: try again in a minute`;
      return { ok: false, reason: message, reply: this.seal(nonce, encodeResponse({ error: { code: 'ERR_BUSY', message } })) };
    }
    return { ok: true, body, nonce };
  }

  /** Wraps an encoded response to the request with `nonce`. */
  seal(nonce: Uint8Array, body: Uint8Array): Uint8Array {
    return encodeEnvelope({ body, mac: this.key.hmac(RESPONSE_LABEL, nonce, body) });
  }

  private refuse(why: string): OpenedRequest {
    return { ok: false, reason: `authentication failed (${why})`, reply: this.refusal };
  }
}
