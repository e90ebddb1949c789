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
}
interface FieldValue {
  field_id?: number;
  field_code?: string;
  values: Array<{ value: unknown; enum_code?: string }> | null;
}
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

  app.get('/api/v4/:entity/custom_fields', (req, res) => {
    const entity = String(req.params.entity);
    if (!ENTITY.test(entity)) return problem(res, 404, 'Not found');
    const type = req.query['filter[type][0]'];
    const fields = fake.fields[entity as EntityType].filter((f) => !type || f.type === type);
    hal(res, 200, { _embedded: { custom_fields: fields.map((f) => ({ ...f, code: f.code ?? null })) } });
  });

  app.get('/api/v4/:entity', (req, res, next) => {
    const entity = String(req.params.entity);
    if (!ENTITY.test(entity)) return next();
    let items = [...store(req)[entity].values()] as Entity[];
    const query = typeof req.query.query === 'string' ? req.query.query.toLowerCase() : null;
    if (query) items = items.filter((e) => matches(e, query));
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

  app.patch('/api/v4/:entity/:id', (req, res) => {
    const entity = String(req.params.entity) as EntityType;
    const target = store(req)[entity]?.get(Number(req.params.id)) as Entity | undefined;
    if (!target) return problem(res, 404, 'Not found');
    const invalid = validate(fake, entity, [req.body as Entity]);
    if (invalid) return void fake.reply(res, 400, invalid);
    mergeFields(target, (req.body as Entity).custom_fields_values ?? []);
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
    hal(res, 200, { _embedded: { webhooks: mine } });
  });
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

/** amoCRM's 400 shape: validation-errors with a path naming the bad field (reference §6). */
function validate(fake: FakeAmoCrm, entity: EntityType, items: Entity[]): unknown {
  const known = fake.fields[entity];
  const errors: Array<{ code: string; path: string; detail: string }> = [];
  items.forEach((item, i) => {
    (item.custom_fields_values ?? []).forEach((f, j) => {
      const ok = f.field_id !== undefined ? known.some((k) => k.id === f.field_id) : known.some((k) => k.code === f.field_code);
      if (!ok) errors.push({ code: 'NotSupportedChoice', path: `${items.length > 1 ? `${i}.` : ''}custom_fields_values.${j}.field_id`, detail: 'The value you selected is not a valid choice.' });
    });
  });
  return errors.length ? { title: 'Bad Request', type: 'https://httpstatus.es/400', status: 400, detail: 'Request validation failed', 'validation-errors': [{ request_id: '0', errors }] } : null;
}

/** Form-encoded webhook body in amoCRM's v2 layout (reference §7). */
export function webhookBody(accountId: number, subdomain: string, entity: EntityType, event: 'add' | 'update', items: Entity[]): string {
  const params = new URLSearchParams();
  items.forEach((item, i) => {
    const prefix = `${entity}[${event}][${i}]`;
    params.set(`${prefix}[id]`, String(item.id));
    params.set(`${prefix}[name]`, String(item.name ?? ''));
    (item.custom_fields_values ?? []).forEach((f, j) => {
      params.set(`${prefix}[custom_fields][${j}][id]`, String(f.field_id ?? ''));
      params.set(`${prefix}[custom_fields][${j}][name]`, 'field');
      (f.values ?? []).forEach((v, k) => params.set(`${prefix}[custom_fields][${j}][values][${k}][value]`, String(v.value)));
    });
  });
  params.set('account[id]', String(accountId));
  params.set('account[subdomain]', subdomain);
  return params.toString();
}
