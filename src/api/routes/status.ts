/** Public, unsigned status routes: /healthz, /readyz and /metrics (not part of the contract). */
import type { Health } from '../../observability/health.js';
import type { Metrics } from '../../observability/metrics.js';
import type { App } from '../types.js';

export function statusRoutes(app: App, metrics: Metrics, health: Health): void {
  app.get('/healthz', { config: { public: true, polled: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true, polled: true }, schema: { hide: true } }, async (_, reply) => {
    const report = await health.report();
    return reply.code(report.ready ? 200 : 503).send(report);
  });

  app.get('/metrics', { config: { public: true, polled: true }, schema: { hide: true } }, async (_, reply) =>
    reply.header('content-type', metrics.contentType).send(await metrics.exposition()),
  );
}
