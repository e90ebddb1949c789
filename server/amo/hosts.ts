/**
 * Which hosts may receive our client secret and tokens. amoCRM's OAuth provider sends the
 * secret to whatever host `referer` names (reference §3), so the referer is checked against
 * this strict rule before any outbound request, and URLs are built here, never from input.
 */
const ACCOUNT_HOST = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.(amocrm\.ru|amocrm\.com|kommo\.com)$/;

export interface AccountHost {
  subdomain: string;
  baseDomain: 'amocrm.ru' | 'amocrm.com' | 'kommo.com';
  host: string;
}

/** Parses a bare account host such as `acme.amocrm.ru`; anything else (ports, paths, user-info, IPs, unicode) is null. */
export function parseAccountHost(value: unknown): AccountHost | null {
  if (typeof value !== 'string' || value.length > 100) return null;
  const match = ACCOUNT_HOST.exec(value);
  if (!match) return null;
  return { subdomain: match[1], baseDomain: match[2] as AccountHost['baseDomain'], host: value };
}

/** Parses an origin like `https://acme.amocrm.ru` (a JWT issuer or a browser Origin header). */
export function parseAccountOrigin(value: unknown): AccountHost | null {
  if (typeof value !== 'string' || !value.startsWith('https://')) return null;
  return parseAccountHost(value.slice('https://'.length));
}

/** amoCRM's OAuth host for an account (the `api_domain` claim of its access token, e.g. `api-a.amocrm.ru`). */
const API_DOMAIN = /^api-[a-z0-9]{1,10}\.(amocrm\.ru|amocrm\.com|kommo\.com)$/;

export function parseApiDomain(value: unknown): string | null {
  return typeof value === 'string' && API_DOMAIN.test(value) ? value : null;
}

export interface Endpoint {
  origin: string;
  /** Extra headers: in tests, `Host` names the account host the request is meant for. */
  headers: Record<string, string>;
}

/**
 * Where a request meant for `host` goes. The host is checked first, always: tokens and the
 * client secret only ever go to an amoCRM host. In tests every host maps to the fake amoCRM on
 * loopback (AMOCRM_TEST_BASE_URL, loopback-only, config.ts) and `Host` carries the intended
 * host, so the fake can route by it as amoCRM's own servers do.
 */
export function endpointFor(host: AccountHost | string, testBaseUrl: string | null): Endpoint {
  const name = typeof host === 'string' ? host : host.host;
  if (!parseAccountHost(name) && !parseApiDomain(name)) throw new Error('refusing to build a URL for a host outside amoCRM');
  if (testBaseUrl) return { origin: testBaseUrl, headers: { Host: name } };
  return { origin: `https://${name}`, headers: {} };
}
