/**
 * The small HTML page an admin sees after amoCRM redirects to our callback, in Russian or
 * English. Failures say what happened and what to check (exact redirect URI, integration
 * type, client id), since that is where connecting an integration usually goes wrong.
 */
import type { ConnectFailure } from '../amo/connect-account.js';

export type Lang = 'ru' | 'en';

const TEXT = {
  en: {
    title: 'amo-address',
    connected: (sub: string) => `The amoCRM account “${sub}” is connected. You can close this window and return to amoCRM.`,
    failed: 'The account was not connected',
    detail: 'amoCRM said',
    reasons: {
      not_configured:
        'The server has no amoCRM credentials. The operator must set AMOCRM_CLIENT_ID, AMOCRM_CLIENT_SECRET and AMOCRM_REDIRECT_URI and restart it.',
      access_denied: 'Access was refused in amoCRM. Connect again and press “Allow”.',
      invalid_request: 'The request from amoCRM was incomplete (no authorization code). Start the connection again from the widget settings.',
      invalid_referer:
        'The request did not come from an amoCRM or Kommo account address (…amocrm.ru, …amocrm.com or …kommo.com). Nothing was sent anywhere.',
      wrong_client_id: 'The request was for another integration. Check that the widget and this server use the same integration ID.',
      invalid_state: 'The connection link was not issued by this server or is older than 30 minutes. Start again from the widget settings.',
      code_rejected:
        'amoCRM refused the authorization code: it expires after 20 minutes and works only once. Start the connection again. If it keeps failing, check that the Redirect URI in the integration settings equals this server’s exactly (scheme, host, path, no trailing slash), that the integration ID matches, and that the integration is the right type (external, not private with a long-lived token).',
      token_key_missing: 'The server refuses to store tokens unencrypted. The operator must set TOKEN_ENCRYPTION_KEY (openssl rand -hex 32) and restart it.',
      amocrm_unreachable: 'amoCRM did not answer properly. Wait a minute and connect again.',
    } satisfies Record<ConnectFailure, string>,
  },
  ru: {
    title: 'amo-address',
    connected: (sub: string) => `Аккаунт amoCRM «${sub}» подключён. Окно можно закрыть и вернуться в amoCRM.`,
    failed: 'Аккаунт не подключён',
    detail: 'Ответ amoCRM',
    reasons: {
      not_configured:
        'На сервере не заданы данные интеграции. Администратор сервера должен задать AMOCRM_CLIENT_ID, AMOCRM_CLIENT_SECRET и AMOCRM_REDIRECT_URI и перезапустить его.',
      access_denied: 'В amoCRM отказано в доступе. Подключите ещё раз и нажмите «Разрешить».',
      invalid_request: 'Запрос от amoCRM неполный (нет кода авторизации). Начните подключение заново из настроек виджета.',
      invalid_referer:
        'Запрос пришёл не с адреса аккаунта amoCRM или Kommo (…amocrm.ru, …amocrm.com, …kommo.com). Никуда ничего не отправлено.',
      wrong_client_id: 'Запрос относится к другой интеграции. Проверьте, что виджет и сервер используют один ID интеграции.',
      invalid_state: 'Ссылка подключения выдана не этим сервером или старше 30 минут. Начните заново из настроек виджета.',
      code_rejected:
        'amoCRM не принял код авторизации: он действует 20 минут и только один раз. Подключите заново. Если ошибка повторяется, проверьте, что Redirect URI в настройках интеграции в точности совпадает с адресом сервера (схема, домен, путь, без косой черты в конце), что ID интеграции верный и что тип интеграции внешний (не приватная с долгосрочным токеном).',
      token_key_missing:
        'Сервер не хранит токены без шифрования. Администратор сервера должен задать TOKEN_ENCRYPTION_KEY (openssl rand -hex 32) и перезапустить его.',
      amocrm_unreachable: 'amoCRM не ответил как ожидалось. Подождите минуту и подключите снова.',
    } satisfies Record<ConnectFailure, string>,
  },
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(lang: Lang, heading: string, body: string, ok: boolean): string {
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${TEXT[lang].title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2a37}
h1{font-size:1.25rem;color:${ok ? '#0a7a3d' : '#b42318'}}p.detail{color:#5b6675;font-size:.9rem}</style>
</head><body><h1>${escapeHtml(heading)}</h1>${body}</body></html>`;
}

export function connectedPage(lang: Lang, subdomain: string): string {
  return page(lang, TEXT[lang].title, `<p>${escapeHtml(TEXT[lang].connected(subdomain))}</p>`, true);
}

export function failedPage(lang: Lang, reason: ConnectFailure, detail?: string): string {
  const t = TEXT[lang];
  const extra = detail && reason === 'code_rejected' ? `<p class="detail">${escapeHtml(t.detail)}: ${escapeHtml(detail)}</p>` : '';
  return page(lang, t.failed, `<p>${escapeHtml(t.reasons[reason])}</p>${extra}`, false);
}
