/**
 * amoCRM's mobile app (iOS, lead cards; the `mobile_card` location, whose manifest `frame_url`
 * points here): `GET /mobile/card?token=…&from=…` is the page shown in the card's widget block,
 * built from widget/src/mobile (dist/mobile/mobile.js); the page calls `GET /api/mobile/card`
 * and the usual suggestion and write-back routes with the token as X-Auth-Token. Same origin:
 * no CORS here.
 */
import express, { Router } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DisposableTokenVerifier } from '../amo/disposable-token.js';
import type { MobileCard } from '../writes/mobile-card.js';
import { AppError, notConfigured } from '../errors.js';
import { widgetAuth } from './widget-auth.js';

export function mobileRoutes(deps: { card: MobileCard | null; verifier: DisposableTokenVerifier | null; publicDir: string; distDir: string }): Router {
  const router = Router();
  router.get('/mobile/card', (_req, res) => {
    if (!existsSync(join(deps.distDir, 'mobile', 'mobile.js'))) {
      res.status(503).json({ error: { code: 'widget_not_built', message: 'Run "npm run build:widget" to build the mobile page’s script.' } });
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(join(deps.publicDir, 'mobile', 'card.html'));
  });
  router.use('/mobile', express.static(join(deps.distDir, 'mobile'), { index: false, redirect: false }));
  router.use('/mobile', express.static(join(deps.publicDir, 'mobile'), { index: false, redirect: false }));

  router.get('/api/mobile/card', widgetAuth(deps.verifier, true), async (req, res) => {
    if (!deps.card) throw notConfigured('This server has no amoCRM credentials (demo mode): the mobile card reads amoCRM.');
    if (!req.caller) throw new AppError('auth_required', 'Open this page from amoCRM’s mobile app.');
    res.setHeader('Cache-Control', 'no-store');
    res.json(await deps.card.state(req.caller));
  });
  return router;
}
