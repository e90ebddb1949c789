import type { AmoCrm } from '../../amo/crm.js';
import type { WebhookUrls } from '../../intake/webhook-urls.js';
import type { OutboxItem } from '../outbox-repository.js';

/** The events we normalise addresses on (reference §7). */
export const WEBHOOK_EVENTS = ['add_lead', 'update_lead', 'add_contact', 'update_contact', 'add_company', 'update_company'];

/**
 * `subscribe`: the account's own webhook URL is subscribed. `move`: only if the account still
 * has one of our older destinations (the URL once shared by every account) — that one is
 * removed and the account's own URL takes its place. Either way our stale destinations go.
 */
export interface SubscribePayload {
  mode: 'subscribe' | 'move';
}

export function subscribeHandler(crm: AmoCrm, urls: WebhookUrls) {
  return async (item: OutboxItem<SubscribePayload>): Promise<void> => {
    const { accountId } = item;
    const current = urls.destination(accountId);
    const stale = (await crm.webhooks(accountId)).filter((w) => urls.isOurs(w.destination) && w.destination !== current);
    for (const hook of stale) await crm.unsubscribeWebhook(accountId, hook.destination);
    if (item.payload.mode !== 'move' || stale.length) await crm.subscribeWebhook(accountId, current, WEBHOOK_EVENTS);
  };
}
