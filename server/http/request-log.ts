import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';

/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = /^(code|state|signature|client_secret|access_token|refresh_token|token|apikey|key)$/i;
/**
 * Query parameters that carry what a customer typed or where they live (personal data, docs/security.md
 * "Personal data"): logged as their length only, unless LOG_QUERIES is on.
 */
const PERSONAL_PARAMS = /^(q|city|region|lat|lon|address|phone|email|name)$/i;

/**
 * Path segments that are secrets: each account's webhook URL (intake/webhook-urls.ts). Matched on
 * the path as Express routes it — any letter case, repeated slashes, percent-encoding, and an
 * absolute-form request target (`POST http://host/api/…`) — so no spelling of the route logs it.
 */
const SECRET_PATH = /^((?:[a-z][a-z0-9+.-]*:\/\/[^/]*)?\/+api\/+amocrm\/+webhooks\/+(?:\d{1,15}\/+)?)[^?#]*/i;

export function redactUrl(raw: string, options: { queries?: boolean } = {}): string {
  const query = raw.indexOf('?');
  const path = query < 0 ? raw : raw.slice(0, query);
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // Not valid percent-encoding: matched as it came.
  }
  const url = (SECRET_PATH.test(decoded) ? decoded.replace(SECRET_PATH, '$1[redacted]') : path) + (query < 0 ? '' : raw.slice(query));
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...new Set(params.keys())]) {
    if (SECRET_PARAMS.test(name)) params.set(name, '[redacted]');
    else if (!options.queries && PERSONAL_PARAMS.test(name)) params.set(name, `[${params.getAll(name).join('').length} chars]`);
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}

export function requestLog(log: Logger, options: { queries: boolean } = { queries: false }) {
  return pinoHttp({
    logger: log,
    genReqId: (req, res) => {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown> }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url, options),
        origin: req.headers?.origin,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  });
}
