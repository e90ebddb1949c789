import express, { Router } from 'express';
import type { WebhookUrls } from '../intake/webhook-urls.js';
import type { WebhookInbox } from '../writes/webhook-inbox.js';
import { AppError } from '../errors.js';
import { FormLimitError, parseWebhookForm, WEBHOOK_FORM_LIMITS } from '../intake/webhook-form.js';

/**
 * amoCRM's webhooks (reference §7): form-encoded with bracket keys, answered before any amoCRM
 * call. The URL names the account and carries its secret (WebhookUrls); an unknown or malformed
 * path is a quiet 404, whatever bytes it holds. The body is read as text and parsed in one pass.
 */
export function webhookRoutes(deps: { urls: WebhookUrls | null; inbox: WebhookInbox }): Router {
  const router = Router();
  const text = express.text({ type: () => true, limit: '1mb' });
  router.post('/api/amocrm/webhooks/:accountId/:secret', (req, _res, next) => {
    const accountId = deps.urls?.verify(String(req.params.accountId), String(req.params.secret)) ?? null;
    if (accountId === null) throw new AppError('not_found', 'No webhook here.');
    req.webhookAccountId = accountId;
    next();
  }, text, async (req, res) => {
    let body;
    try {
      body = parseWebhookForm(typeof req.body === 'string' ? req.body : '');
    } catch (error) {
      if (error instanceof FormLimitError) throw new AppError('payload_too_large', `A webhook may carry at most ${WEBHOOK_FORM_LIMITS.parameters} parameters.`);
      throw error;
    }
    const stored = await deps.inbox.receive(req.webhookAccountId!, body);
    res.status(200).json({ ok: true, duplicate: !stored });
  });
  return router;
}

declare module 'express-serve-static-core' {
  interface Request {
    webhookAccountId?: number;
  }
}
