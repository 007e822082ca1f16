/**
 * Concurrent claimers. On PostgreSQL two Store instances on one database stand for two worker
 * processes, so the claim's FOR UPDATE SKIP LOCKED is what keeps them apart. On SQLite the
 * embedded shape has one process and one Store; its claimers share it and BEGIN IMMEDIATE
 * serializes them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { SecretBox } from '../../src/domain/secret-box.js';
import type { OperationRecord } from '../../src/domain/operation.js';
import { Store } from '../../src/store/store.js';
import { givenSubscription, operation, STORE_KINDS, T0, useFreshStore } from './fixtures.js';

const ENDPOINTS = 24;
const OPERATIONS_PER_ENDPOINT = 8;
const CLAIMERS_PER_STORE = 4;
const LEASE = 60_000;

describe.each(STORE_KINDS)('concurrent claimers on %s', (kind) => {
  const ctx = useFreshStore(kind);

  test('never claim an operation twice nor run two operations of one endpoint at once', async () => {
    const { store, location } = ctx();
    const stores = kind === 'postgres' ? [store, await Store.open(location, new SecretBox(undefined))] : [store];
    try {
      const subId = await givenSubscription(store);
      // Accepted interleaved across endpoints, as requests arrive.
      const expectedOrder = new Map<string, string[]>();
      await store.transaction(async (tx) => {
        for (let round = 0; round < OPERATIONS_PER_ENDPOINT; round++) {
          for (let e = 0; e < ENDPOINTS; e++) {
            const op = operation(subId, `endpoint-${e}`);
            await tx.operations.insert(op);
            expectedOrder.set(op.endpointId, [...(expectedOrder.get(op.endpointId) ?? []), op.id]);
          }
        }
      });
      const total = ENDPOINTS * OPERATIONS_PER_ENDPOINT;

      const claimedOnce = new Set<string>();
      const runningByEndpoint = new Map<string, string>();
      const claimedOrder = new Map<string, string[]>();
      const violations: string[] = [];
      let finished = 0;
      const claimedByStore = stores.map(() => 0);
      const deadline = Date.now() + 25_000;

      const run = async (s: Store, owner: string, op: OperationRecord): Promise<void> => {
        await sleep(Math.floor(Math.random() * 3));
        // Marked idle before the finish commits, so the next claim of this endpoint, which
        // can only follow the commit, never sees it as running unless the store erred.
        runningByEndpoint.delete(op.endpointId);
        if (!(await s.operations.finish(op.id, owner, 'Succeeded', null, Date.now()))) violations.push(`finish of ${op.id} by ${owner} refused`);
        finished += 1;
      };

      const claimer = async (s: Store, owner: string): Promise<void> => {
        const storeIndex = stores.indexOf(s);
        while (finished < total && Date.now() < deadline) {
          const now = Date.now();
          const got = await s.transaction((tx) => tx.operations.claim(owner, now, now + LEASE, 3));
          claimedByStore[storeIndex]! += got.length;
          for (const op of got) {
            if (claimedOnce.has(op.id)) violations.push(`${op.id} claimed twice (again by ${owner})`);
            claimedOnce.add(op.id);
            const running = runningByEndpoint.get(op.endpointId);
            if (running !== undefined) violations.push(`${op.id} claimed by ${owner} while ${running} of ${op.endpointId} runs`);
            runningByEndpoint.set(op.endpointId, op.id);
            claimedOrder.set(op.endpointId, [...(claimedOrder.get(op.endpointId) ?? []), op.id]);
          }
          if (got.length === 0) await sleep(1);
          else await Promise.all(got.map((op) => run(s, owner, op)));
        }
      };

      await Promise.all(
        stores.flatMap((s, si) => Array.from({ length: CLAIMERS_PER_STORE }, (_, ci) => claimer(s, `store${si}-worker${ci}`))),
      );

      expect(violations).toEqual([]);
      expect(finished).toBe(total);
      expect(claimedOnce.size).toBe(total);
      expect(claimedOrder).toEqual(expectedOrder);
      // Every store took part (on PostgreSQL both worked the same operations at once).
      for (const n of claimedByStore) expect(n).toBeGreaterThan(0);
      expect(await store.operations.countUnfinished()).toBe(0);
      for (const ids of expectedOrder.values()) {
        for (const id of ids) expect(await store.operations.get(id)).toMatchObject({ status: 'Succeeded', attempts: 1 });
      }
    } finally {
      for (const s of stores.slice(1)) await s.close();
    }
  });
});

describe('claims on postgres while another claim holds its rows', () => {
  const ctx = useFreshStore('postgres');

  test('a second claimer skips the locked operation at once and takes only other endpoints', async () => {
    const { store, location } = ctx();
    const other = await Store.open(location, new SecretBox(undefined));
    try {
      const subId = await givenSubscription(store);
      const e1 = operation(subId, 'E');
      const f1 = operation(subId, 'F');
      const e2 = operation(subId, 'E');
      for (const op of [e1, f1, e2]) await store.operations.insert(op);

      let holding!: () => void;
      const held = new Promise<void>((resolve) => (holding = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const first = store.transaction(async (tx) => {
        const got = await tx.operations.claim('A', T0, T0 + LEASE, 1);
        holding();
        await gate;
        return got;
      });
      await held;

      // Must not wait for the first transaction: SKIP LOCKED passes over e1; e2 waits behind e1.
      const timeout = sleep(5000).then(() => 'blocked' as const);
      const second = await Promise.race([other.transaction((tx) => tx.operations.claim('B', T0, T0 + LEASE, 10)), timeout]);
      release();
      const firstClaim = await first;

      expect(second).not.toBe('blocked');
      expect((second as OperationRecord[]).map((o) => o.id)).toEqual([f1.id]);
      expect(firstClaim.map((o) => o.id)).toEqual([e1.id]);
      expect(await other.transaction((tx) => tx.operations.claim('B', T0 + 1, T0 + LEASE, 10))).toEqual([]);
      expect(await store.operations.get(e1.id)).toMatchObject({ status: 'Processing', attempts: 1 });
      expect(await store.operations.get(e2.id)).toMatchObject({ status: 'NotSet', attempts: 0 });
    } finally {
      await other.close();
    }
  });
});
