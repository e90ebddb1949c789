/**
 * Which entities an amoCRM webhook says changed. amoCRM signs no webhook (reference §7): the body
 * is trusted only for ids, and what they hold is re-read through API v4.
 */
import type { EntityType } from '../amo/api-client.js';
import { indexed, type FormObject } from './webhook-form.js';

/** What an item holds: the ids of the entities that changed, per entity type. */
export type ChangedEntities = Partial<Record<EntityType, number[]>>;

const EVENTS = ['add', 'update', 'status'];

/** The parameters changedEntities and the account check read (`account[...]`, `leads[update][0][id]`, `contacts[add][0][type]`): the rest of a body is never needed. */
export function isChangeKey(path: string[]): boolean {
  if (path[0] === 'account') return true;
  return (path[0] === 'leads' || path[0] === 'contacts') && path.length === 4 && EVENTS.includes(path[1]) && (path[3] === 'id' || path[3] === 'type');
}

/**
 * The changed entities of an amoCRM webhook body (v2 layout, reference §7): leads under
 * `leads[...]`; contacts *and companies* under `contacts[...]`, a company marked `[type]=company`
 * (there is no `companies[...]` key: amoCRM docs webhooks-format, amocrm-api-php issue 195).
 * Nothing else of the body is kept.
 */
export function changedEntities(body: FormObject): ChangedEntities {
  const changed: Record<EntityType, Set<number>> = { leads: new Set(), contacts: new Set(), companies: new Set() };
  for (const group of ['leads', 'contacts'] as const) {
    const events = body[group];
    if (!events || typeof events !== 'object') continue;
    for (const event of EVENTS) {
      for (const record of indexed(events[event])) {
        const id = Number(record.id);
        if (!Number.isSafeInteger(id) || id <= 0) continue;
        const entity: EntityType = group === 'leads' ? 'leads' : record.type === 'company' ? 'companies' : 'contacts';
        changed[entity].add(id);
      }
    }
  }
  return Object.fromEntries(Object.entries(changed).filter(([, ids]) => ids.size).map(([e, ids]) => [e, [...ids]]));
}

/** Every id in `changes`, or in none (a count over them). */
export const idsIn = (changes: ChangedEntities) => Object.values(changes).reduce((n, ids) => n + (ids?.length ?? 0), 0);

/**
 * Two items' changes as one (each id once), or null when together they would hold more than
 * `maxIds`: an item re-reads every entity it names, so its size is bounded.
 */
export function mergeChanges(a: ChangedEntities, b: ChangedEntities, maxIds: number): ChangedEntities | null {
  const out: ChangedEntities = {};
  for (const entity of ['leads', 'contacts', 'companies'] as const) {
    const ids = new Set([...(a[entity] ?? []), ...(b[entity] ?? [])]);
    if (ids.size) out[entity] = [...ids];
  }
  return idsIn(out) > maxIds ? null : out;
}
