/**
 * Typed API v4 calls this product makes (reference §6), on top of the AmoApi choke point.
 * Creates are marked non-idempotent: the outbox decides how to retry them.
 */
import type { AmoApi, EntityType } from './api-client.js';
import type { Clock } from '../clock.js';

export interface CustomField {
  id: number;
  name: string;
  type: string;
  code: string | null;
  /** A select's options (amoCRM docs custom-fields: `enums: [{id, value, sort}]`). */
  enums?: Array<{ id: number; value: string }>;
}

export interface FieldValue {
  field_id?: number;
  field_code?: string;
  /** A select takes its option's `enum_id` (reference §6), sent with the option's text as `value`. */
  values: Array<{ value: string | number; enum_code?: string; enum_id?: number }> | null;
}

interface Embedded<K extends string, T> {
  _embedded?: Record<K, T[]>;
}
interface Contact {
  id: number;
  custom_fields_values?: FieldValue[] | null;
}
export interface CrmEntity {
  id: number;
  /** A lead's budget (amoCRM's `price`); absent for contacts and companies. */
  price?: number | null;
  custom_fields_values?: FieldValue[] | null;
}

const FIELDS_TTL_MS = 10 * 60 * 1000;
export const digitsOnly = (value: unknown) => String(value ?? '').replace(/\D/g, '');

export class AmoCrm {
  private readonly fieldCache = new Map<string, { at: number; fields: CustomField[] }>();

  constructor(
    private readonly api: AmoApi,
    private readonly clock: Clock,
  ) {}

  /** The entity's custom fields (cached for ten minutes: field lists change rarely; `fresh` skips the cache). */
  async customFields(accountId: number, entity: EntityType, options: { fresh?: boolean } = {}): Promise<CustomField[]> {
    const key = `${accountId}:${entity}`;
    const cached = this.fieldCache.get(key);
    if (!options.fresh && cached && this.clock.now() - cached.at < FIELDS_TTL_MS) return cached.fields;
    const fields: CustomField[] = [];
    for (let page = 1; page <= 20; page++) {
      const body = await this.api.request<Embedded<'custom_fields', CustomField> & { _links?: { next?: unknown } }>(accountId, 'GET', `/api/v4/${entity}/custom_fields`, undefined, { query: { page, limit: 250 } });
      fields.push(...(body?._embedded?.custom_fields ?? []).map((f) => ({ id: f.id, name: f.name, type: f.type, code: f.code ?? null, ...(Array.isArray(f.enums) ? { enums: f.enums.map((e) => ({ id: e.id, value: e.value })) } : {}) })));
      if (!body?._links?.next) break;
    }
    this.fieldCache.set(key, { at: this.clock.now(), fields });
    return fields;
  }

  /** Drops what is cached for the account (it was disconnected). */
  forget(accountId: number): void {
    for (const key of this.fieldCache.keys()) if (key.startsWith(`${accountId}:`)) this.fieldCache.delete(key);
  }

  async pipelines(accountId: number): Promise<Array<{ id: number; name: string; statuses: Array<{ id: number; name: string }> }>> {
    const body = await this.api.request<Embedded<'pipelines', { id: number; name: string; _embedded?: { statuses?: Array<{ id: number; name: string }> } }>>(accountId, 'GET', '/api/v4/leads/pipelines');
    return (body?._embedded?.pipelines ?? []).map((p) => ({ id: p.id, name: p.name, statuses: p._embedded?.statuses ?? [] }));
  }

  /**
   * A contact with this phone (or, failing that, email). amoCRM's `query` is full-text, so every
   * hit is re-checked against the actual values before it is reused (reference §6).
   */
  async findContact(accountId: number, by: { phone: string; email?: string | null }): Promise<number | null> {
    const phoneDigits = digitsOnly(by.phone);
    const byPhone = await this.searchContacts(accountId, phoneDigits.slice(-10));
    const phoneHit = byPhone.find((c) => values(c, 'PHONE').some((v) => sameNumber(digitsOnly(v), phoneDigits)));
    if (phoneHit) return phoneHit.id;
    if (!by.email) return null;
    const email = by.email.toLowerCase();
    const byEmail = await this.searchContacts(accountId, email);
    return byEmail.find((c) => values(c, 'EMAIL').some((v) => String(v).toLowerCase() === email))?.id ?? null;
  }

  async createContact(accountId: number, contact: { name: string; phone: string; email?: string | null; fields?: FieldValue[] }): Promise<number> {
    const custom: FieldValue[] = [{ field_code: 'PHONE', values: [{ value: contact.phone, enum_code: 'WORK' }] }];
    if (contact.email) custom.push({ field_code: 'EMAIL', values: [{ value: contact.email, enum_code: 'WORK' }] });
    const body = await this.api.request<Embedded<'contacts', { id: number }>>(accountId, 'POST', '/api/v4/contacts', [{ name: contact.name, custom_fields_values: [...custom, ...(contact.fields ?? [])] }], { idempotent: false });
    return firstId(body?._embedded?.contacts, 'contact');
  }

  async findLeadByName(accountId: number, marker: string): Promise<number | null> {
    const body = await this.api.request<Embedded<'leads', { id: number; name: string }>>(accountId, 'GET', '/api/v4/leads', undefined, { query: { query: marker, limit: 50 } });
    return body?._embedded?.leads?.find((l) => l.name.includes(marker))?.id ?? null;
  }

  async createLead(accountId: number, lead: { name: string; price?: number; pipelineId?: number; statusId?: number; contactId: number; fields: FieldValue[]; tags?: string[] }): Promise<number> {
    const item = {
      name: lead.name,
      ...(lead.price !== undefined ? { price: Math.round(lead.price) } : {}),
      ...(lead.pipelineId ? { pipeline_id: lead.pipelineId } : {}),
      ...(lead.statusId ? { status_id: lead.statusId } : {}),
      ...(lead.fields.length ? { custom_fields_values: lead.fields } : {}),
      // Tags by name on create (amoCRM docs "Добавление сделок": `_embedded[tags]`).
      _embedded: { contacts: [{ id: lead.contactId }], ...(lead.tags?.length ? { tags: lead.tags.map((name) => ({ name })) } : {}) },
    };
    const body = await this.api.request<Embedded<'leads', { id: number }>>(accountId, 'POST', '/api/v4/leads', [item], { idempotent: false });
    return firstId(body?._embedded?.leads, 'lead');
  }

  async findNote(accountId: number, leadId: number, text: string): Promise<number | null> {
    const body = await this.api.request<Embedded<'notes', { id: number; params?: { text?: string } }>>(accountId, 'GET', `/api/v4/leads/${leadId}/notes`, undefined, { query: { limit: 250 } });
    return body?._embedded?.notes?.find((n) => n.params?.text === text)?.id ?? null;
  }

  async addNote(accountId: number, leadId: number, text: string): Promise<number> {
    const body = await this.api.request<Embedded<'notes', { id: number }>>(accountId, 'POST', `/api/v4/leads/${leadId}/notes`, [{ note_type: 'common', params: { text } }], { idempotent: false });
    return firstId(body?._embedded?.notes, 'note');
  }

  /**
   * A PATCH of the same values is harmless to repeat. Tags are added or taken off by name with
   * `tags_to_add` / `tags_to_delete`, which leave the entity's other tags alone (`_embedded[tags]`
   * would replace them all: amocrm-api-php, MutateTagsTrait).
   */
  async updateFields(accountId: number, entity: EntityType, id: number, fields: FieldValue[], tags: { add?: string[]; remove?: string[] } = {}): Promise<void> {
    await this.api.request(accountId, 'PATCH', `/api/v4/${entity}/${id}`, patchBody(fields, tags));
  }

  /** The entities with these ids, as amoCRM holds them now (`filter[id]`, 50 a request). */
  async entities(accountId: number, entity: EntityType, ids: number[]): Promise<CrmEntity[]> {
    const found: CrmEntity[] = [];
    for (let i = 0; i < ids.length; i += 50) {
      const batch = ids.slice(i, i + 50);
      const query = Object.fromEntries(batch.map((id, n) => [`filter[id][${n}]`, id]));
      const body = await this.api.request<Embedded<string, CrmEntity>>(accountId, 'GET', `/api/v4/${entity}`, undefined, { query: { ...query, limit: 50 } });
      found.push(...(body?._embedded?.[entity] ?? []));
    }
    return found;
  }

  /**
   * One page of an entity list (`page`, `limit` ≤ 250, `filter[...]`; reference §6; amoCRM docs
   * leads-api "Список сделок"), with each entity's tags (`_embedded.tags`, in every list by
   * default). A page past the end is amoCRM's empty 204.
   */
  async page(accountId: number, entity: EntityType, page: number, limit: number, filter: Record<string, string | number> = {}): Promise<{ items: Array<CrmEntity & { _embedded?: { tags?: Array<{ name: string }> } }>; hasNext: boolean }> {
    const body = await this.api.request<Embedded<string, CrmEntity> & { _links?: { next?: { href?: string } } }>(accountId, 'GET', `/api/v4/${entity}`, undefined, { query: { ...filter, page, limit } });
    const items = body?._embedded?.[entity] ?? [];
    return { items, hasNext: Boolean(body?._links?.next) && items.length === limit };
  }

  /**
   * Many entities in one PATCH (`PATCH /api/v4/{entity}` with an array, each with its `id`;
   * at most 250 a request, 50 advised: reference §6). The same values again are harmless.
   */
  async updateMany(accountId: number, entity: EntityType, items: Array<{ id: number; fields: FieldValue[]; tags?: { add?: string[]; remove?: string[] } }>): Promise<void> {
    if (items.length > 250) throw new Error('amoCRM takes at most 250 entities a request');
    await this.api.request(
      accountId,
      'PATCH',
      `/api/v4/${entity}`,
      items.map((i) => ({ id: i.id, ...patchBody(i.fields, i.tags) })),
      // A 504 is not retried whole: the caller sends the batch again in halves.
      { noRetryOn: [504] },
    );
  }

  /** The account's webhook destinations (reference §7). */
  async webhooks(accountId: number): Promise<Array<{ destination: string; settings: string[] }>> {
    const body = await this.api.request<Embedded<'webhooks', { destination: string; settings: string[] }>>(accountId, 'GET', '/api/v4/webhooks');
    return body?._embedded?.webhooks ?? [];
  }

  async unsubscribeWebhook(accountId: number, destination: string): Promise<void> {
    await this.api.request(accountId, 'DELETE', '/api/v4/webhooks', { destination });
  }

  async subscribeWebhook(accountId: number, destination: string, settings: string[]): Promise<void> {
    // Subscribing the same destination again replaces it: safe to repeat.
    await this.api.request(accountId, 'POST', '/api/v4/webhooks', { destination, settings, sort: 10 }, { idempotent: true });
  }

  private async searchContacts(accountId: number, query: string): Promise<Contact[]> {
    if (!query) return [];
    const body = await this.api.request<Embedded<'contacts', Contact>>(accountId, 'GET', '/api/v4/contacts', undefined, { query: { query, limit: 50 } });
    return body?._embedded?.contacts ?? [];
  }
}

/** An update's fields, and its tags added and taken off by name (updateFields says why this way). */
function patchBody(fields: FieldValue[], tags: { add?: string[]; remove?: string[] } = {}) {
  return {
    custom_fields_values: fields,
    ...(tags.add?.length ? { tags_to_add: tags.add.map((name) => ({ name })) } : {}),
    ...(tags.remove?.length ? { tags_to_delete: tags.remove.map((name) => ({ name })) } : {}),
  };
}

function values(contact: Contact, code: string): unknown[] {
  return (contact.custom_fields_values ?? []).filter((f) => f.field_code === code).flatMap((f) => (f.values ?? []).map((v) => v.value));
}

/** Russian numbers are written +7… or 8…: compare the last ten digits when both have them. */
function sameNumber(a: string, b: string): boolean {
  return a === b || (a.length >= 10 && b.length >= 10 && a.slice(-10) === b.slice(-10));
}

function firstId(items: Array<{ id: number }> | undefined, what: string): number {
  const id = items?.[0]?.id;
  if (typeof id !== 'number') throw new Error(`amoCRM did not return the created ${what}'s id`);
  return id;
}
