/**
 * The webhook URL's secret never reaches a log line, however the request spells the path that
 * Express routes to the webhook handler (issue: an upper-case path or an absolute-form request
 * target bypassed the redaction).
 */
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../server/http/request-log.js';
import { join } from 'node:path';
import { startApp, tempDir } from '../helpers.js';

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
    expect(redactUrl('/api/address/suggest?q=%D0%BC%D0%BE', { queries: true })).toBe('/api/address/suggest?q=%D0%BC%D0%BE');
    expect(redactUrl('/api/auth/amocrm/callback?code=abc&referer=x.amocrm.ru')).toBe('/api/auth/amocrm/callback?code=%5Bredacted%5D&referer=x.amocrm.ru');
  });
});

describe('personal data in request lines', () => {
  it('what a customer typed is logged as its length only; coordinates too', () => {
    expect(redactUrl('/api/address/suggest?q=%D0%BC%D0%BE%D1%81&count=7')).toBe('/api/address/suggest?q=%5B3+chars%5D&count=7');
    expect(redactUrl('/api/console/delivery-zones/check?lon=37.61&lat=55.75')).toBe('/api/console/delivery-zones/check?lon=%5B5+chars%5D&lat=%5B5+chars%5D');
  });

  it.each([
    ['production', {}, false],
    ['production with LOG_QUERIES=true', { LOG_QUERIES: 'true' }, true],
  ])('%s: the typed address is in the log: %s', async (_what, env, shown) => {
    const tmp = tempDir();
    const app = await startApp({ NODE_ENV: 'production', DATABASE_PATH: join(tmp.dir, 'db.sqlite'), ...env });
    try {
      await fetch(`${app.url}/api/address/suggest?q=${encodeURIComponent('Самара Авроры 110 кв 5')}`);
      const line = app.logs.lines.find((l) => l.includes('/api/address/suggest'))!;
      expect(line).toBeDefined();
      expect(decodeURIComponent(line.replace(/\+/g, ' ')).includes('Авроры 110 кв 5')).toBe(shown);
      if (!shown) expect(decodeURIComponent(line.replace(/\+/g, ' '))).toContain('q=[22 chars]');
    } finally {
      await app.close();
      tmp.cleanup();
    }
  });
});

