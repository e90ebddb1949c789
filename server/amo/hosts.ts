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

/**
 * The origin our requests to an account go to. In tests every host maps to the fake amoCRM on
 * loopback (AMOCRM_TEST_BASE_URL, validated as loopback-only in config.ts).
 */
export function accountOrigin(host: AccountHost | string, testBaseUrl: string | null): string {
  const name = typeof host === 'string' ? host : host.host;
  if (testBaseUrl) return testBaseUrl;
  if (!parseAccountHost(name)) throw new Error('refusing to build a URL for a host outside amoCRM');
  return `https://${name}`;
}
