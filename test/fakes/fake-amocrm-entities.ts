/**
 * The fake amoCRM's API v4 entity endpoints (reference §6, §7): leads, contacts, companies with
 * custom fields, full-text `query`, notes, pipelines, webhook subscriptions, and delivery of
 * form-encoded webhooks (old v2 custom-field layout) to subscribed destinations after changes.
 */
import type express from 'express';
import type { Request, Response } from 'express';
import type { FakeAmoCrm } from './fake-amocrm.js';
import { problem } from './fake-amocrm.js';

export type EntityType = 'leads' | 'contacts' | 'companies';
export interface FakeField {
  id: number;
  name: string;
  type: string;
  code?: string;
  /** A select's options (amoCRM docs custom-fields: `enums: [{id, value, sort}]`). */
  enums?: Array<{ id: number; value: string; sort: number }>;
}
interface FieldValue {
  field_id?: number;
  field_code?: string;
  values: Array<{ value: unknown; enum_code?: string; enum_id?: number }> | null;
}
type Tag = { id?: number; name: string };
export type Entity = Record<string, unknown> & { id: number; custom_fields_values?: FieldValue[] | null };

export const DEFAULT_FIELDS: Record<EntityType, FakeField[]> = {
  leads: [
    { id: 762381, name: 'Адрес доставки', type: 'streetaddress' },
    { id: 762385, name: 'Индекс', type: 'text' },
    { id: 762387, name: 'Город', type: 'text' },
    { id: 762389, name: 'Координаты', type: 'text' },
  ],
  contacts: [
    { id: 100, name: 'Телефон', type: 'multitext', code: 'PHONE' },
    { id: 101, name: 'Email', type: 'multitext', code: 'EMAIL' },
    { id: 762391, name: 'Адрес', type: 'streetaddress' },
  ],
  companies: [{ id: 762393, name: 'Адрес', type: 'streetaddress' }],
};
export const PIPELINE = { id: 5000, statuses: [{ id: 6001, name: 'Первичный контакт' }, { id: 142, name: 'Успешно реализовано' }, { id: 143, name: 'Закрыто и не реализовано' }] };

const ENTITY = /^(leads|contacts|companies)$/;
const digits = (v: unknown) => String(v ?? '').replace(/\D/g, '');

export function entityRoutes(app: express.Express, fake: FakeAmoCrm): void {
  const store = (req: Request) => fake.entities.get(fake.bearerAccount(req)!)!;
  const hal = (res: Response, status: number, body: unknown) => fake.reply(res, status, body);

  app.get('/api/v4/leads/pipelines', (_req, res) => hal(res, 200, { _embedded: { pipelines: [{ id: PIPELINE.id, name: 'Воронка', _embedded: { statuses: PIPELINE.statuses } }] } }));

  // At most 50 fields a page whatever `limit` asks, the rest behind `_links.next`; a page past
  // the end is an empty 204 (reference §8, "custom_fields returns at most 50 per page").
  app.get('/api/v4/:entity/custom_fields', (req, res) => {
    const entity = String(req.params.entity);
    if (!ENTITY.test(entity)) return problem(res, 404, 'Not found');
    const type = req.query['filter[type][0]'];
    const fields = fake.fields[entity as EntityType].filter((f) => !type || f.type === type);
    const page = Math.max(1, Number(req.query.page ?? 1) || 1);
    const slice = fields.slice((page - 1) * 50, page * 50);
    if (!slice.length) return void fake.reply(res, 204, null);
    fake.customFieldPages++;
    const next = page * 50 < fields.length ? { next: { href: `/api/v4/${entity}/custom_fields?page=${page + 1}` } } : {};
    hal(res, 200, { _page: page, _links: next, _embedded: { custom_fields: slice.map((f) => ({ ...f, code: f.code ?? null })) } });
  });

  app.get('/api/v4/:entity', (req, res, next) => {
    const entity = String(req.params.entity);
    if (!ENTITY.test(entity)) return next();
    let items = [...store(req)[entity].values()] as Entity[];
    // `filter[id][]` / `filter[id][n]` (amoCRM docs leads-api, "filter"): only those ids.
    const ids = Object.entries(req.query).filter(([k]) => /^filter\[id\]\[\d*\]$/.test(k)).flatMap(([, v]) => (Array.isArray(v) ? v : [v]).map(Number));
    if (ids.length) items = items.filter((e) => ids.includes(e.id));
    const query = typeof req.query.query === 'string' ? req.query.query.toLowerCase() : null;
    if (query) items = items.filter((e) => matches(e, query));
    items = items.filter(listFilter(req.query as Record<string, unknown>));
    const page = Number(req.query.page ?? 1);
    const limit = Math.min(Number(req.query.limit ?? 50), 250);
    const slice = items.slice((page - 1) * limit, page * limit);
    if (!slice.length) return void fake.reply(res, 204, null);
    const hasNext = page * limit < items.length;
    hal(res, 200, { _page: page, _links: hasNext ? { next: { href: `?page=${page + 1}` } } : {}, _embedded: { [entity]: slice } });
  });

  app.get('/api/v4/:entity/:id', (req, res, next) => {
    if (!/^\d+$/.test(String(req.params.id))) return next();
    const found = store(req)[String(req.params.entity)]?.get(Number(req.params.id));
    return found ? hal(res, 200, found) : problem(res, 404, 'Not found');
  });

  app.post('/api/v4/:entity', (req, res, next) => {
    const entity = String(req.params.entity) as EntityType;
    if (!ENTITY.test(entity)) return next();
    if (!Array.isArray(req.body)) return problem(res, 400, 'Bad request', 'an array is expected');
    const invalid = validate(fake, entity, req.body as Entity[]);
    if (invalid) return void fake.reply(res, 400, invalid);
    const created = (req.body as Entity[]).map((body) => fake.addEntity(fake.bearerAccount(req)!, entity, { ...body, created_by_api: true }));
    fake.afterChange(fake.bearerAccount(req)!, entity, 'add', created);
    hal(res, 200, { _embedded: { [entity]: created.map((id, i) => ({ id, request_id: String((req.body as Entity[])[i].request_id ?? i) })) } });
  });

  // Many at once: an array, each with its `id`, at most 250 (reference §6: "Writes ≤ 250 entities
  // per request"); one bad entity refuses the batch with its index in the path (validation-errors).
  app.patch('/api/v4/:entity', (req, res, next) => {
    const entity = String(req.params.entity) as EntityType;
    if (!ENTITY.test(entity)) return next();
    const body = req.body as Entity[];
    if (!Array.isArray(body) || !body.length) return problem(res, 400, 'Bad request', 'an array of entities is expected');
    if (body.length > 250) return problem(res, 400, 'Bad request', 'at most 250 entities a request');
    if (body.some((b) => fake.readOnly.has(Number(b.id)))) return problem(res, 403, 'Forbidden', 'Insufficient rights to call this method');
    if (body.length > fake.batchTimeoutAbove) return problem(res, 504, 'Gateway Timeout');
    const targets = body.map((b) => store(req)[entity]?.get(Number(b.id)) as Entity | undefined);
    const missing = targets.findIndex((t) => !t);
    if (missing >= 0) return void fake.reply(res, 400, { title: 'Bad Request', status: 400, detail: 'Request validation failed', 'validation-errors': [{ request_id: String(missing), errors: [{ code: 'NotFound', path: `${missing}.id`, detail: 'Entity not found' }] }] });
    const invalid = validate(fake, entity, body);
    if (invalid) return void fake.reply(res, 400, invalid);
    body.forEach((b, i) => {
      mergeFields(targets[i]!, b.custom_fields_values ?? []);
      mutateTags(targets[i]!, b as { tags_to_add?: Tag[]; tags_to_delete?: Tag[] });
      fake.patches.push({ accountId: fake.bearerAccount(req)!, entity, id: targets[i]!.id, body: b });
    });
    fake.batchPatches++;
    fake.afterChange(fake.bearerAccount(req)!, entity, 'update', targets.map((t) => t!.id));
    hal(res, 200, { _embedded: { [entity]: targets.map((t, i) => ({ id: t!.id, updated_at: Math.floor(Date.now() / 1000), request_id: String(i) })) } });
  });

  app.patch('/api/v4/:entity/:id', (req, res) => {
    const entity = String(req.params.entity) as EntityType;
    const target = store(req)[entity]?.get(Number(req.params.id)) as Entity | undefined;
    if (!target) return problem(res, 404, 'Not found');
    if (fake.readOnly.has(target.id)) return problem(res, 403, 'Forbidden', 'Insufficient rights to call this method');
    const invalid = validate(fake, entity, [req.body as Entity]);
    if (invalid) return void fake.reply(res, 400, invalid);
    mergeFields(target, (req.body as Entity).custom_fields_values ?? []);
    mutateTags(target, req.body as { tags_to_add?: Tag[]; tags_to_delete?: Tag[] });
    fake.patches.push({ accountId: fake.bearerAccount(req)!, entity, id: target.id, body: req.body });
    fake.afterChange(fake.bearerAccount(req)!, entity, 'update', [target.id]);
    hal(res, 200, { id: target.id, updated_at: Math.floor(Date.now() / 1000) });
  });

  app.get('/api/v4/leads/:id/notes', (req, res) => {
    const notes = fake.notes.filter((n) => n.entityId === Number(req.params.id) && n.accountId === fake.bearerAccount(req));
    if (!notes.length) return void fake.reply(res, 204, null);
    hal(res, 200, { _embedded: { notes: notes.map((n) => ({ id: n.id, entity_id: n.entityId, note_type: 'common', params: { text: n.text } })) } });
  });

  app.post('/api/v4/leads/:id/notes', (req, res) => {
    const body = req.body as Array<{ note_type?: string; params?: { text?: string } }>;
    if (!store(req).leads.has(Number(req.params.id))) return problem(res, 404, 'Not found');
    const ids = body.map((n) => {
      const id = fake.nextEntityId();
      fake.notes.push({ id, accountId: fake.bearerAccount(req)!, entityId: Number(req.params.id), text: String(n.params?.text ?? '') });
      return id;
    });
    hal(res, 200, { _embedded: { notes: ids.map((id) => ({ id })) } });
  });

  // The webhooks API: admin-only, and on Kommo only on the Advanced/Enterprise plan (amoCRM docs
  // crm_platform/webhooks-api): a JSON 403 when `webhooksForbidden` says this account lacks it.
  app.use('/api/v4/webhooks', (_req, res, next) => (fake.webhooksForbidden ? problem(res, 403, 'Forbidden', 'Insufficient rights to call this method') : next()));
  // DELETE /api/v4/webhooks {destination} unsubscribes (amoCRM docs crm_platform/webhooks-api).
  app.delete('/api/v4/webhooks', (req, res) => {
    const { destination } = (req.body ?? {}) as { destination?: string };
    if (!destination) return problem(res, 400, 'Bad request', 'destination is required');
    const account = fake.bearerAccount(req)!;
    fake.webhooks = fake.webhooks.filter((w) => !(w.accountId === account && w.destination === destination));
    fake.reply(res, 204, null);
  });
  app.post('/api/v4/webhooks', (req, res) => {
    const { destination, settings } = req.body as { destination?: string; settings?: string[] };
    if (!destination || !Array.isArray(settings)) return problem(res, 400, 'Bad request', 'destination and settings are required');
    const account = fake.bearerAccount(req)!;
    fake.webhooks = fake.webhooks.filter((w) => !(w.accountId === account && w.destination === destination));
    fake.webhooks.push({ accountId: account, destination, settings });
    hal(res, 200, { id: fake.webhooks.length, destination, settings, disabled: false });
  });
  app.get('/api/v4/webhooks', (req, res) => {
    const mine = fake.webhooks.filter((w) => w.accountId === fake.bearerAccount(req));
    if (!mine.length) return void fake.reply(res, 204, null);
    hal(res, 200, { _total_items: mine.length, _embedded: { webhooks: mine.map((w, i) => ({ id: i + 1, destination: w.destination, settings: w.settings, disabled: false, sort: 10 })) } });
  });
}

/**
 * A list's filters (amoCRM docs leads-api "filter"; the v4 examples send
 * `filter[statuses][0][pipeline_id]` with `[status_id]`): `filter[pipeline_id]`, any of
 * `filter[statuses][i]`, and `filter[created_at][from|to]` in Unix seconds, both ends included.
 */
function listFilter(query: Record<string, unknown>): (e: Entity) => boolean {
  const pipeline = query['filter[pipeline_id]'];
  const statuses: Array<{ pipeline: number; status: number }> = [];
  for (let i = 0; query[`filter[statuses][${i}][status_id]`] !== undefined; i++) statuses.push({ pipeline: Number(query[`filter[statuses][${i}][pipeline_id]`]), status: Number(query[`filter[statuses][${i}][status_id]`]) });
  const from = query['filter[created_at][from]'];
  const to = query['filter[created_at][to]'];
  return (e) =>
    (pipeline === undefined || Number(e.pipeline_id) === Number(pipeline)) &&
    (!statuses.length || statuses.some((s) => Number(e.pipeline_id) === s.pipeline && Number(e.status_id) === s.status)) &&
    (from === undefined || Number(e.created_at) >= Number(from)) &&
    (to === undefined || Number(e.created_at) <= Number(to));
}

function matches(entity: Entity, query: string): boolean {
  if (String(entity.name ?? '').toLowerCase().includes(query)) return true;
  const q = digits(query);
  return (entity.custom_fields_values ?? []).some((f) =>
    (f.values ?? []).some((v) => String(v.value).toLowerCase().includes(query) || (q.length >= 5 && digits(v.value).includes(q))),
  );
}

function mergeFields(target: Entity, updates: FieldValue[]): void {
  const current = [...(target.custom_fields_values ?? [])];
  for (const update of updates) {
    const i = current.findIndex((f) => f.field_id === update.field_id);
    if (i >= 0) current.splice(i, 1);
    if (update.values !== null) current.push(update);
  }
  target.custom_fields_values = current.length ? current : null;
}

/**
 * `tags_to_add` / `tags_to_delete` on an update add or remove tags by name and leave the others
 * (amocrm-api-php, Models/Traits/MutateTagsTrait: sent beside, not inside, `_embedded[tags]`).
 */
function mutateTags(target: Entity, body: { tags_to_add?: Tag[]; tags_to_delete?: Tag[] }): void {
  if (!body.tags_to_add && !body.tags_to_delete) return;
  const embedded = ((target._embedded as Record<string, unknown> | undefined) ?? {}) as { tags?: Tag[] };
  let tags = [...(embedded.tags ?? [])];
  for (const t of body.tags_to_add ?? []) if (!tags.some((x) => x.name === t.name)) tags.push({ name: t.name });
  tags = tags.filter((x) => !(body.tags_to_delete ?? []).some((t) => t.name === x.name));
  target._embedded = { ...embedded, tags };
}

/** smart_address parts are tagged with these enum codes (reference §6, amoCRM docs custom-fields "smart_address"). */
const SMART_ADDRESS_CODES = new Set(['address_line_1', 'address_line_2', 'city', 'state', 'zip', 'country']);

/**
 * amoCRM's 400 shape: validation-errors with a path naming the bad field (reference §6). Also
 * refused as amoCRM does: a `text` value over 256 characters (amocrm-api-php issues 224 and
 * 400), a smart_address value without its part's enum_code, and any value for a `legal_entity`
 * field given as plain text (it takes structured values only).
 */
function validate(fake: FakeAmoCrm, entity: EntityType, items: Entity[]): unknown {
  const known = fake.fields[entity];
  const errors: Array<{ code: string; path: string; detail: string }> = [];
  items.forEach((item, i) => {
    (item.custom_fields_values ?? []).forEach((f, j) => {
      const at = `${items.length > 1 ? `${i}.` : ''}custom_fields_values.${j}`;
      const field = f.field_id !== undefined ? known.find((k) => k.id === f.field_id) : known.find((k) => k.code === f.field_code);
      if (!field) return void errors.push({ code: 'NotSupportedChoice', path: `${at}.field_id`, detail: 'The value you selected is not a valid choice.' });
      (f.values ?? []).forEach((v, k) => {
        if (field.type === 'text' && String(v.value).length > 256) errors.push({ code: 'InvalidLength', path: `${at}.values.${k}.value`, detail: 'This value is too long. It should have 256 characters or less.' });
        if (field.type === 'smart_address' && !SMART_ADDRESS_CODES.has(String(v.enum_code))) errors.push({ code: 'NotSupportedChoice', path: `${at}.values.${k}.enum_code`, detail: 'The value you selected is not a valid choice.' });
        if (field.type === 'legal_entity' && typeof v.value !== 'object') errors.push({ code: 'InvalidType', path: `${at}.values.${k}.value`, detail: 'This value should be of type array.' });
        // A select takes one of its own options (by enum_id; reference §6), a numeric field a number
        // (amoCRM docs custom-fields, "numeric"): anything else is a validation error.
        if (field.type === 'select' && !(field.enums ?? []).some((e) => e.id === v.enum_id || (v.enum_id === undefined && e.value === v.value))) errors.push({ code: 'NotSupportedChoice', path: `${at}.values.${k}.enum_id`, detail: 'The value you selected is not a valid choice.' });
        if (field.type === 'numeric' && !Number.isFinite(Number(v.value))) errors.push({ code: 'InvalidType', path: `${at}.values.${k}.value`, detail: 'This value should be of type numeric.' });
      });
    });
  });
  return errors.length ? { title: 'Bad Request', type: 'https://httpstatus.es/400', status: 400, detail: 'Request validation failed', 'validation-errors': [{ request_id: '0', errors }] } : null;
}

/**
 * Form-encoded webhook body in amoCRM's v2 layout (reference §7, amoCRM docs webhooks-format):
 * companies come under `contacts[...]` with `[type]=company` (there is no `companies[...]` key;
 * amocrm-api-php issue 195), contacts carry `[type]=contact`, a date field's value is a bare
 * `[values][0]`, a list field's value carries its `[enum]` id.
 */
export function webhookBody(accountId: number, subdomain: string, entity: EntityType, event: 'add' | 'update', items: Entity[], fields: FakeField[] = []): string {
  const params = new URLSearchParams();
  items.forEach((item, i) => {
    const prefix = `${entity === 'leads' ? 'leads' : 'contacts'}[${event}][${i}]`;
    params.set(`${prefix}[id]`, String(item.id));
    params.set(`${prefix}[name]`, String(item.name ?? ''));
    if (entity !== 'leads') params.set(`${prefix}[type]`, entity === 'companies' ? 'company' : 'contact');
    (item.custom_fields_values ?? []).forEach((f, j) => {
      const type = fields.find((k) => k.id === f.field_id)?.type;
      params.set(`${prefix}[custom_fields][${j}][id]`, String(f.field_id ?? ''));
      params.set(`${prefix}[custom_fields][${j}][name]`, 'field');
      (f.values ?? []).forEach((v, k) => {
        const at = `${prefix}[custom_fields][${j}][values][${k}]`;
        if (type === 'date') return params.set(at, String(v.value));
        params.set(`${at}[value]`, String(v.value));
        if (type === 'select' && (v as { enum_id?: number }).enum_id) params.set(`${at}[enum]`, String((v as { enum_id?: number }).enum_id));
      });
    });
  });
  params.set('account[id]', String(accountId));
  params.set('account[subdomain]', subdomain);
  return params.toString();
}
