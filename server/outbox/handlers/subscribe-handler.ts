import type { AmoCrm } from '../../amo/crm.js';
import type { WebhookUrls } from '../../intake/webhook-urls.js';
import type { JobHandler } from '../jobs.js';

/** The events we normalise addresses on (reference §7). */
export const WEBHOOK_EVENTS = ['add_lead', 'update_lead', 'add_contact', 'update_contact', 'add_company', 'update_company'];

/** Subscribes (or moves) the account's webhook; our stale destinations are removed either way. */
export function subscribeHandler(crm: AmoCrm, urls: WebhookUrls): JobHandler<'subscribe'> {
  return async (item) => {
    const { accountId } = item;
    const current = urls.destination(accountId);
    const { mode } = item.payload;
    const stale = (await crm.webhooks(accountId)).filter((w) => urls.isOurs(w.destination) && (mode === 'unsubscribe' || w.destination !== current));
    for (const hook of stale) await crm.unsubscribeWebhook(accountId, hook.destination);
    if (mode === 'subscribe' || (mode === 'move' && stale.length)) await crm.subscribeWebhook(accountId, current, WEBHOOK_EVENTS);
  };
}
