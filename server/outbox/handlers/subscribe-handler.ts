import type { AmoCrm } from '../../amo/crm.js';
import type { OutboxItem } from '../outbox-repository.js';

/** The events we normalise addresses on (reference §7). */
export const WEBHOOK_EVENTS = ['add_lead', 'update_lead', 'add_contact', 'update_contact', 'add_company', 'update_company'];

export function subscribeHandler(crm: AmoCrm) {
  return (item: OutboxItem<{ destination: string }>) => crm.subscribeWebhook(item.accountId, item.payload.destination, WEBHOOK_EVENTS);
}
