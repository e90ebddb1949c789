/**
 * Seeds an account's address book from the address fields already filled in its leads,
 * contacts and companies, read through API v4 page by page (the client keeps to the rate limit).
 */
import type { Logger } from 'pino';
import type { AmoApi, EntityType } from '../amo/api-client.js';
import type { AddressBook } from './address-book.js';
import type { AmoCrm } from '../amo/crm.js';

interface CustomFieldValue {
  field_id: number;
  values?: Array<{ value?: unknown }> | null;
}
interface Entity {
  custom_fields_values?: CustomFieldValue[] | null;
}
interface Page<T> {
  _embedded?: Record<string, T[]>;
  _links?: { next?: { href?: string } };
}

const ENTITIES: EntityType[] = ['leads', 'contacts', 'companies'];
const PAGE_LIMIT = 250;
const MAX_PAGES = 400;

export class AddressBookImport {
  constructor(
    private readonly api: AmoApi,
    private readonly crm: AmoCrm,
    private readonly book: AddressBook,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  /** Field ids of the "short address" fields the account has, per entity. */
  async addressFields(accountId: number, entity: EntityType): Promise<number[]> {
    return (await this.crm.customFields(accountId, entity)).filter((f) => f.type === 'streetaddress').map((f) => f.id);
  }

  /** Imports every distinct address value; returns how many values were read per entity. */
  async run(accountId: number, fieldIds?: number[], onProgress?: (p: { step: number; of: number; entity: EntityType; read: number }) => Promise<void>): Promise<Record<EntityType, number>> {
    const counts = { leads: 0, contacts: 0, companies: 0 };
    for (const [step, entity] of ENTITIES.entries()) {
      await onProgress?.({ step, of: ENTITIES.length, entity, read: counts.leads + counts.contacts + counts.companies });
      const ids = new Set(fieldIds?.length ? fieldIds : await this.addressFields(accountId, entity));
      if (!ids.size) continue;
      for (let page = 1; page <= MAX_PAGES; page++) {
        const body = await this.api.request<Page<Entity>>(accountId, 'GET', `/api/v4/${entity}`, undefined, { query: { page, limit: PAGE_LIMIT } });
        const items = body?._embedded?.[entity] ?? [];
        for (const item of items) {
          for (const field of item.custom_fields_values ?? []) {
            if (!ids.has(field.field_id)) continue;
            for (const v of field.values ?? []) {
              if (typeof v.value !== 'string' || !v.value.trim() || v.value.length > 300) continue;
              await this.book.remember(accountId, v.value.trim(), {}, 'amocrm', this.now());
              counts[entity]++;
            }
          }
        }
        if (!body?._links?.next || items.length < PAGE_LIMIT) break;
        await onProgress?.({ step, of: ENTITIES.length, entity, read: counts.leads + counts.contacts + counts.companies });
      }
    }
    await onProgress?.({ step: ENTITIES.length, of: ENTITIES.length, entity: 'companies', read: counts.leads + counts.contacts + counts.companies });
    this.log.info({ accountId, ...counts }, 'address book imported from amoCRM');
    return counts;
  }
}
