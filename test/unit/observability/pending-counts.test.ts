import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PendingCounter } from '../../../src/observability/pending-counts.js';

const valueOf = async (counter: PendingCounter, labels: Record<string, string> = {}) =>
  (await counter.counter.get()).values.find((value) => Object.entries(labels).every(([name, label]) => value.labels[name] === label))?.value;

describe('a pending counter', () => {
  it('reads exactly what was counted, labelled or not, at every read', async () => {
    const registry = new Registry();
    const total = new PendingCounter({ name: 'total', help: 'h', registers: [registry] });
    const byResult = new PendingCounter({ name: 'by_result', help: 'h', labelNames: ['result'], registers: [registry] });
    const all = total.count();
    const hit = byResult.count('HIT');
    all.inc(4096);
    all.inc(10);
    hit.inc();
    hit.inc();
    expect(await valueOf(total)).toBe(4106);
    expect(await valueOf(byResult, { result: 'HIT' })).toBe(2);
    hit.inc();
    expect(await registry.metrics()).toContain('by_result{result="HIT"} 3');
    expect(await valueOf(byResult, { result: 'HIT' })).toBe(3);
  });

  it('keeps what a dropped series held and counts nothing after', async () => {
    const counter = new PendingCounter({ name: 'sent', help: 'h', labelNames: ['endpoint'], registers: [] });
    const gone = counter.count('a.example.com');
    gone.inc(5);
    counter.drop(gone);
    gone.inc(7);
    expect(await valueOf(counter, { endpoint: 'a.example.com' })).toBe(5);
  });
});
