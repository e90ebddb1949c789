import { AppError } from '../errors.js';

/** A failed amoCRM API v4 call. `status` is amoCRM's; `retryable` drives the client's backoff. */
export class AmoApiError extends AppError {
  constructor(
    readonly amoStatus: number,
    code: string,
    message: string,
    readonly retryable: boolean,
    details?: Record<string, unknown>,
    readonly retryAfterMs?: number,
  ) {
    // 401 passes through: TokenService refreshes once on it.
    super(amoStatus === 401 ? 401 : amoStatus === 400 ? 422 : 502, code, message, details);
    this.name = 'AmoApiError';
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
    false,
    { fields },
  );
}

export function parseRetryAfter(header: unknown): number | undefined {
  if (typeof header !== 'string') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 120) * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, Math.min(date - Date.now(), 120_000)) : undefined;
}
