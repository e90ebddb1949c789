/**
 * The one HTTP layer to amoCRM, for OAuth and API v4 alike (STYLE: one choke point, as
 * shevernitskiy/amo's core/rest-client.ts). It builds URLs only for amoCRM hosts (hosts.ts),
 * never echoes a request (it may carry the client secret or a token), logs every non-2xx answer
 * with method, path, status and amoCRM's X-Request-Id (amocrm-api-php's getLastRequestInfo), and
 * maps failures to one error family with a kind (api-errors.ts). Bodies of 403/429 may be HTML:
 * nothing is JSON-parsed blindly.
 */
import axios, { type AxiosInstance, type Method, isAxiosError } from 'axios';
import type { Logger } from 'pino';
import { AmoApiError, forbiddenError, parseRetryAfter, validationError } from './api-errors.js';
import { endpointFor, type AccountHost } from './hosts.js';

export interface AmoRequest {
  host: AccountHost | string;
  method: Method;
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface AmoResponse {
  status: number;
  /** The parsed JSON body, or null (empty, HTML, not JSON). */
  body: unknown;
  /** Whether amoCRM said the body is JSON (application/json or application/problem+json). */
  isJson: boolean;
  headers: Record<string, unknown>;
}

export class AmoHttp {
  private readonly http: AxiosInstance;

  constructor(
    private readonly log: Logger,
    private readonly testBaseUrl: string | null,
    timeoutMs = 15_000,
  ) {
    this.http = axios.create({ timeout: timeoutMs, validateStatus: () => true, maxRedirects: 0, responseType: 'text', transformResponse: (d) => d });
  }

  /** Any answer amoCRM gives comes back (non-2xx logged); only "no answer at all" throws. */
  async send(request: AmoRequest): Promise<AmoResponse> {
    const { origin, headers } = endpointFor(request.host, this.testBaseUrl);
    let response;
    try {
      response = await this.http.request({
        url: `${origin}${request.path}`,
        method: request.method,
        params: request.query,
        data: request.body,
        headers: { ...headers, ...(request.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...request.headers },
      });
    } catch (error) {
      // Never the request itself in the message: it carries the client secret or a token.
      const reason = isAxiosError(error) ? (error.code ?? 'network error') : 'network error';
      throw new AmoApiError(0, 'amocrm_unreachable', `amoCRM could not be reached (${reason}); try again later.`, 'retryable');
    }
    const text = typeof response.data === 'string' ? response.data : '';
    const answer: AmoResponse = { status: response.status, body: parseJson(text), isJson: /json/i.test(String(response.headers['content-type'] ?? '')), headers: response.headers };
    if (response.status >= 300) {
      this.log.warn(
        { method: request.method, path: request.path, status: response.status, amoRequestId: response.headers['x-request-id'], body: text.slice(0, 300) },
        'amoCRM answered an error',
      );
    }
    return answer;
  }
}

/** What a non-2xx answer of API v4 means (reference §6, §8). */
export function apiError(response: AmoResponse, path: string): AmoApiError {
  const { status } = response;
  if (status === 400) return validationError(response.body);
  if (status === 401) return new AmoApiError(401, 'amocrm_unauthorized', 'amoCRM refused the access token.', 'auth');
  if (status === 403) return forbiddenError(path, response.isJson ? response.body : null);
  if (status === 404) return new AmoApiError(404, 'amocrm_not_found', `amoCRM has no ${path}.`, 'final');
  if (status === 429 || status >= 500) {
    const code = status === 429 ? 'amocrm_rate_limited' : 'amocrm_unavailable';
    return new AmoApiError(status, code, `amoCRM answered ${status} at ${path}; try again later.`, 'retryable', undefined, parseRetryAfter(response.headers['retry-after']));
  }
  return new AmoApiError(status, 'amocrm_error', `amoCRM answered ${status} at ${path}.`, 'final');
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
