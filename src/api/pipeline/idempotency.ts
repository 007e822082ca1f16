/**
 * Idempotency-Key on POST, PUT and DELETE (extension; domain/idempotency.ts has the rules).
 * After validation, before the handler: the key is claimed in the store, or the request is
 * answered with the key's first answer (Idempotent-Replayed: true), 409 while that first
 * request runs, or 422 when the key was used with another request. When the claiming request
 * is answered (onSend), a success is kept for a day and an error gives the key up.
 *
 * The answer is written just after the change it answers commits, not in its transaction: a
 * process that dies between the two leaves the key claimed until CLAIM_MS lapses, after which a
 * retry runs the request again.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Errors } from '../../contract/errors.js';
import type { Clock } from '../../domain/clock.js';
import {
  CLAIM_MS,
  IDEMPOTENCY_HEADER,
  isKeptAnswer,
  KEY_LIFETIME_MS,
  parseIdempotencyKey,
  REPLAYED_HEADERS,
  requestFingerprint,
} from '../../domain/idempotency.js';
import type { Store } from '../../store/store.js';
import type { App } from '../types.js';

const CHANGES = new Set(['POST', 'PUT', 'DELETE']);

/** Expired keys are deleted at most this often (per process). */
const CLEANUP_EVERY_MS = 60 * 60_000;

export interface HeldKey {
  readonly subscriptionId: string;
  readonly key: string;
  readonly fingerprint: string;
}

export function registerIdempotency(app: App, store: Store, clock: Clock): void {
  let cleanedAt = -Infinity;

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!CHANGES.has(request.method) || !request.auth) return;
    const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_HEADER]);
    if (key === undefined) return;
    const { subscriptionId } = request.auth;
    const fingerprint = requestFingerprint(request.method, request.url, request.body);
    const now = clock.now();
    if (now - cleanedAt > CLEANUP_EVERY_MS) {
      cleanedAt = now;
      store.idempotencyKeys.deleteOlderThan(now - KEY_LIFETIME_MS).catch((error: unknown) => request.log.warn({ err: error }, 'deleting expired idempotency keys failed'));
    }
    const claim = await store.idempotencyKeys.claim(subscriptionId, key, fingerprint, now, now + CLAIM_MS, now - KEY_LIFETIME_MS);
    switch (claim.kind) {
      case 'claimed':
        request.idempotency = { subscriptionId, key, fingerprint };
        return;
      case 'inFlight':
        throw Errors.idempotencyKeyInFlight(key);
      case 'otherRequest':
        throw Errors.idempotencyKeyReused(key);
      case 'answered':
        reply.code(claim.answer.status).headers(claim.answer.headers).header('idempotent-replayed', 'true');
        return reply.send(claim.answer.body);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const held = request.idempotency;
    if (!held) return payload;
    request.idempotency = null;
    try {
      if (isKeptAnswer(reply.statusCode) && typeof payload === 'string') {
        const headers: Record<string, string> = {};
        for (const name of REPLAYED_HEADERS) {
          const value = reply.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        await store.idempotencyKeys.answer(held.subscriptionId, held.key, held.fingerprint, { status: reply.statusCode, headers, body: payload });
      } else {
        await store.idempotencyKeys.release(held.subscriptionId, held.key, held.fingerprint);
      }
    } catch (error) {
      // The answer still goes out; the key stays claimed until its claim lapses.
      request.log.error({ err: error, idempotencyKey: held.key }, 'recording the idempotency key failed');
    }
    return payload;
  });
}
