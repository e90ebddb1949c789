import type { RequestHandler } from 'express';
import cors from 'cors';
import type { DisposableTokenVerifier, WidgetCaller } from '../amo/disposable-token.js';
import { parseAccountOrigin } from '../amo/hosts.js';
import { AppError } from '../errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    caller?: WidgetCaller | null;
  }
}

/** CORS for widget calls: amoCRM card origins and our own PUBLIC_URL only (reference §5). */
export function widgetCors(publicUrl: string): RequestHandler {
  const own = new URL(publicUrl).origin;
  return cors({
    origin: (origin, done) => done(null, !origin || origin === own || parseAccountOrigin(origin) !== null),
    allowedHeaders: ['X-Auth-Token', 'Content-Type'],
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    maxAge: 600,
  });
}

/**
 * Sets req.caller from X-Auth-Token. Without a token the call is anonymous, which only demo
 * mode or AMOCRM_AUTH_REQUIRED=false allows; a token that is present is always checked.
 */
export function widgetAuth(verifier: DisposableTokenVerifier | null, authRequired: boolean, options: { requireConnected?: boolean } = {}): RequestHandler {
  return async (req, _res, next) => {
    const token = req.get('x-auth-token');
    if (token && verifier) {
      req.caller = await verifier.verify(token, options);
      return next();
    }
    if (authRequired) throw new AppError('auth_required', 'Call this from the amoCRM widget: X-Auth-Token is required.');
    req.caller = null;
    next();
  };
}
