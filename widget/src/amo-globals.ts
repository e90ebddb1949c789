/**
 * The only module that reads amoCRM's page globals (reference §2): `APP`, with `AMOCRM` as the
 * deprecated alias.
 */
interface AmoApp {
  data?: { current_card?: { id?: number } };
  getBaseEntity?: () => string;
  getWidgetsArea?: () => string;
  lang_id?: string;
}

export type EntityType = 'leads' | 'contacts' | 'companies';

function app(): AmoApp | undefined {
  const w = globalThis as unknown as { APP?: AmoApp; AMOCRM?: AmoApp };
  return w.APP ?? w.AMOCRM;
}

/** `getWidgetsArea()` names the card unambiguously; `getBaseEntity()` is ambiguous in company cards (reference §2). */
const AREA_ENTITY: Record<string, EntityType> = { leads_card: 'leads', contacts_card: 'contacts', companies_card: 'companies' };

/** The card's own entity (`id` 0 for a new, unsaved card), or null outside a lead, contact or company card. */
export function currentEntity(): { type: EntityType; id: number } | null {
  const a = app();
  try {
    const area = a?.getWidgetsArea?.();
    const base = a?.getBaseEntity?.();
    const type = (area && AREA_ENTITY[area]) || (base && Object.values(AREA_ENTITY).includes(base as EntityType) ? (base as EntityType) : null);
    const id = Number(a?.data?.current_card?.id ?? NaN);
    return type && Number.isSafeInteger(id) && id >= 0 ? { type, id } : null;
  } catch {
    return null;
  }
}

/** A module through amoCRM's RequireJS (the page's global `requirejs`), resolved with its export. */
export function loadAmdModule<T>(url: string): Promise<T> {
  const requirejs = (globalThis as unknown as { requirejs?: (deps: string[], ok: (m: T) => void, fail: (e: unknown) => void) => void }).requirejs;
  if (!requirejs) return Promise.reject(new Error('RequireJS is not on the page'));
  return new Promise((resolve, reject) => requirejs([url], resolve, reject));
}

export function pageLanguage(): string {
  return app()?.lang_id ?? 'ru';
}
