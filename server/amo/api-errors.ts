import { AppError, type ErrorCode } from '../errors.js';

/**
 * What a failed amoCRM call means for whoever made it:
 * - `retryable`: 429, 5xx, network — try again later, with backoff;
 * - `auth`: the access token was refused (401) — refresh once and repeat;
 * - `blocked`: amoCRM blocked the account (403 with its HTML page, reference §6/§8) — stop
 *   sending for the account for a while; work waits, it is never parked for this;
 * - `rights`: a JSON 403 (insufficient rights, a plan without the feature, IP not allowed,
 *   reference §8) — only this call fails;
 * - `final`: a refusal no retry fixes (400 validation, 404).
 */
export type AmoErrorKind = 'retryable' | 'auth' | 'blocked' | 'rights' | 'final';

/**
 * A failed amoCRM API v4 or OAuth call. `amoStatus` is amoCRM's status (0: unreachable); `kind`
 * says what to do about it; our own answer's status follows from the code (contract/api.ts).
 */
export class AmoApiError extends AppError {
  constructor(
    readonly amoStatus: number,
    code: ErrorCode,
    message: string,
    readonly kind: AmoErrorKind,
    details?: Record<string, unknown>,
    readonly retryAfterMs?: number,
  ) {
    super(code, message, details);
    this.name = 'AmoApiError';
  }

  get retryable(): boolean {
    return this.kind === 'retryable';
  }
}

interface ValidationError {
  code?: string;
  path?: string;
  detail?: string;
}

/** amoCRM's 400: `validation-errors: [{request_id, errors: [{code, path, detail}]}]` (reference §6). */
export function validationError(body: unknown): AmoApiError {
  const groups = (body as { 'validation-errors'?: Array<{ errors?: ValidationError[] }> })?.['validation-errors'];
  const fields = (Array.isArray(groups) ? groups : [])
    .flatMap((g) => (Array.isArray(g.errors) ? g.errors : []))
    .map((e) => ({ path: String(e.path ?? ''), code: String(e.code ?? ''), detail: String(e.detail ?? '') }));
  const named = fields.map((f) => `${f.path || 'request'}: ${f.detail || f.code}`).join('; ');
  const detail = (body as { detail?: unknown })?.detail;
  return new AmoApiError(
    400,
    'amocrm_validation',
    named ? `amoCRM rejected the data: ${named}` : `amoCRM rejected the request${typeof detail === 'string' ? `: ${detail}` : '.'}`,
    'final',
    { fields },
  );
}

/**
 * A 403 is a block only when it is amoCRM's HTML page ("на любой запрос", reference §6). A JSON
 * 403 is about this call: insufficient rights (Kommo api_v4/users), a plan without the feature
 * (the webhooks API is admin-only and needs Advanced/Enterprise on Kommo), or an IP outside the
 * whitelist (code 113) — reference §8.
 */
export function forbiddenError(path: string, parsedBody: unknown): AmoApiError {
  if (parsedBody === null || typeof parsedBody !== 'object') {
    return new AmoApiError(403, 'amocrm_blocked', 'amoCRM has blocked API access for this account (403 with its block page); nothing is sent until the pause ends.', 'blocked');
  }
  const body = parsedBody as { detail?: unknown; title?: unknown; hint?: unknown; code?: unknown; 'error-code'?: unknown };
  const said = [body.detail, body.hint, body.title].find((v) => typeof v === 'string' && v.trim()) as string | undefined;
  const code = Number(body.code ?? body['error-code']);
  let advice: string;
  if (code === 113) advice = 'this server’s IP address is not in the account’s API whitelist: add it in amoCRM or remove the restriction';
  else if (path.startsWith('/api/v4/webhooks')) advice = 'webhooks can only be managed by an account administrator, and on Kommo only on the Advanced or Enterprise plan';
  else advice = 'the user who connected the integration lacks the rights for this: reconnect it as an account administrator';
  return new AmoApiError(403, 'amocrm_insufficient_rights', `amoCRM refused ${path}${said ? ` (“${said}”)` : ''}: ${advice}.`, 'rights', code ? { amoCode: code } : undefined);
}

export function parseRetryAfter(header: unknown): number | undefined {
  if (typeof header !== 'string') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 120) * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, Math.min(date - Date.now(), 120_000)) : undefined;
}
