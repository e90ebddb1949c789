/**
 * Backend calls go through amoCRM's `$authorizedAjax`, which adds the disposable token
 * (`X-Auth-Token`, reference §5) so the backend knows the account and user. Where it is missing
 * (an old amoCRM page) the call goes without a token and the backend decides.
 */
import type { ErrorBody } from '../../contract/api.js';
import { BackendError, type Transport } from './suggest.js';

interface Deferred {
  done(cb: (body: unknown) => void): Deferred;
  fail(cb: (xhr: { status: number; responseJSON?: Partial<ErrorBody> }) => void): Deferred;
  abort?: () => void;
}

export type AuthorizedAjax = (options: Record<string, unknown>) => Deferred;

/** `headers` go with calls made without `$authorizedAjax` (the mobile page sends its token in X-Auth-Token itself). */
export function createTransport(baseUrl: () => string, authorizedAjax: AuthorizedAjax | undefined, headers: Record<string, string> = {}): Transport {
  return (path, params, signal, method = 'GET', raw) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new BackendError(0, 'aborted'));
      const url = `${baseUrl()}${path}`;
      if (!authorizedAjax) {
        const query = method === 'GET' ? `?${new URLSearchParams(params as Record<string, string>)}` : '';
        fetch(url + query, { method, signal, headers: { 'Content-Type': raw ? raw.contentType : 'application/json', ...headers }, body: method === 'GET' ? undefined : raw ? raw.body : JSON.stringify(params) })
          .then(async (res) => {
            if (res.ok) return resolve(res.status === 204 ? null : await res.json());
            reject(answerError(res.status, (await res.json().catch(() => ({}))) as Partial<ErrorBody>));
          })
          .catch(() => reject(new BackendError(0, signal.aborted ? 'aborted' : 'network_error')));
        return;
      }
      const request = authorizedAjax({
        url,
        type: method,
        method,
        dataType: 'json',
        ...(method === 'GET' ? { data: params } : raw ? { data: raw.body, contentType: raw.contentType, processData: false } : { data: JSON.stringify(params), contentType: 'application/json' }),
      });
      signal.addEventListener('abort', () => request.abort?.(), { once: true });
      request
        .done((body) => resolve(body))
        .fail((xhr) => reject(answerError(xhr?.status ?? 0, xhr?.responseJSON)));
    });
}

/** The backend's error answer (contract/api.ts), or what went wrong before one came. */
function answerError(status: number, body: Partial<ErrorBody> | undefined): BackendError {
  const error = body?.error;
  // The rest of the answer (a zone file's `reason` and `details`…) as it came: the console reads it.
  return new BackendError(status, error?.code ?? (status ? 'http_error' : 'network_error'), typeof error?.field === 'string' ? error.field : null, (error || {}) as BackendError['extra']);
}
