/**
 * The webhook URL's secret never reaches a log line, however the request spells the path that
 * Express routes to the webhook handler (issue: an upper-case path or an absolute-form request
 * target bypassed the redaction).
 */
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../server/http/request-log.js';

const SECRET = 'a1b2c3d4e5f6a7b8c9d0';

describe('request log redaction', () => {
  it.each([
    `/api/amocrm/webhooks/31000001/${SECRET}`,
    `/API/AMOCRM/WEBHOOKS/31000001/${SECRET}`,
    `/Api/AmoCrm/Webhooks/31000001/${SECRET}?x=1`,
    `//api//amocrm/webhooks/31000001//${SECRET}`,
    `http://evil.example:8080/api/amocrm/webhooks/31000001/${SECRET}`,
    `/api/amocrm/%77ebhooks/31000001/${SECRET}`,
    `/api/amocrm/webhooks/31000001/${SECRET.slice(0, 4)}%${SECRET.slice(4, 6)}${SECRET.slice(6)}`,
    `/api/amocrm/webhooks/${SECRET}`,
  ])('%s', (url) => {
    const logged = redactUrl(url);
    expect(logged).not.toContain(SECRET.slice(8));
    expect(logged).toContain('[redacted]');
  });

  it('leaves other paths alone and still redacts secret query parameters', () => {
    expect(redactUrl('/api/address/suggest?q=%D0%BC%D0%BE')).toBe('/api/address/suggest?q=%D0%BC%D0%BE');
    expect(redactUrl('/api/auth/amocrm/callback?code=abc&referer=x.amocrm.ru')).toBe('/api/auth/amocrm/callback?code=%5Bredacted%5D&referer=x.amocrm.ru');
  });
});
