import { Router } from 'express';
import { ConnectError, type ConnectAccount } from '../amo/connect-account.js';
import { connectedPage, failedPage, type Lang } from './callback-page.js';
import { stringParams } from './query.js';
import type { OAuthState } from '../amo/oauth-state.js';
import type { AmoCredentials } from '../config.js';
import { notConfigured } from '../errors.js';

const CALLBACK_PARAMS = ['code', 'referer', 'state', 'client_id', 'from_widget', 'platform', 'error'] as const;

/** amoCRM's grant pages (reference §3): one per platform. */
const GRANT_PAGES = { amocrm: 'https://www.amocrm.ru/oauth', kommo: 'https://www.kommo.com/oauth' } as const;

export function authRoutes(deps: { connect: ConnectAccount; state: OAuthState | null; amo: AmoCredentials | null }): Router {
  const router = Router();

  router.get('/api/auth/amocrm/callback', async (req, res) => {
    const lang: Lang = req.acceptsLanguages('ru', 'en') === 'en' ? 'en' : 'ru';
    res.type('html').setHeader('Cache-Control', 'no-store');
    try {
      const connected = await deps.connect.run(stringParams(req.query, CALLBACK_PARAMS));
      req.log.info({ accountId: connected.accountId, fromWidget: connected.fromWidget }, 'amoCRM account connected');
      res.status(200).send(connectedPage(lang, connected.subdomain));
    } catch (error) {
      if (error instanceof ConnectError) {
        req.log.warn({ reason: error.reason }, 'amoCRM connect refused');
        res.status(error.status).send(failedPage(lang, error.reason, error.detail));
        return;
      }
      if ((error as { status?: number }).status === 400) {
        res.status(400).send(failedPage(lang, 'invalid_request'));
        return;
      }
      throw error;
    }
  });

  // The settings page's "Connect" button lands here; we add a signed state and go to amoCRM.
  router.get('/api/auth/amocrm/start', (req, res) => {
    if (!deps.amo || !deps.state) throw notConfigured('Set AMOCRM_CLIENT_ID, AMOCRM_CLIENT_SECRET and AMOCRM_REDIRECT_URI to connect accounts.');
    const { platform } = stringParams(req.query, ['platform'] as const);
    const url = new URL(platform === 'kommo' ? GRANT_PAGES.kommo : GRANT_PAGES.amocrm);
    url.searchParams.set('client_id', deps.amo.clientId);
    url.searchParams.set('state', deps.state.issue());
    url.searchParams.set('mode', 'post_message');
    res.redirect(302, url.toString());
  });

  return router;
}
