/**
 * GET /metrics in Prometheus' text format. On the public port it takes `Authorization: Bearer
 * <ADMIN_TOKEN>`; with METRICS_PORT set, main.ts also serves it without a token on that port,
 * bound to 127.0.0.1 only (for a Prometheus on the same host or behind its own tunnel).
 */
import { Router, type RequestHandler } from 'express';
import type { Metrics } from '../metrics.js';
import { requireAdmin } from './admin-auth.js';

export function metricsRoutes(deps: { metrics: Metrics; adminToken: string | null; open?: boolean }): Router {
  const router = Router();
  const guard: RequestHandler = deps.open ? (_req, _res, next) => next() : requireAdmin(deps.adminToken);
  router.get('/metrics', guard, async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await deps.metrics.text());
  });
  return router;
}

/** Times every request by its route pattern (`/api/amocrm/webhooks/:accountId/:secret`, never the URL). */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : res.statusCode === 404 ? 'unmatched' : 'static';
      metrics.httpDuration.observe({ method: req.method, route, status: `${Math.floor(res.statusCode / 100)}xx` }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
