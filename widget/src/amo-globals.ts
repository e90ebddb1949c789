/**
 * The only module that reads amoCRM's page globals (reference §2): `APP`, with `AMOCRM` as the
 * deprecated alias.
 */
interface AmoApp {
  data?: { current_card?: { id?: number } };
  getBaseEntity?: () => string;
  lang_id?: string;
}

function app(): AmoApp | undefined {
  const w = globalThis as unknown as { APP?: AmoApp; AMOCRM?: AmoApp };
  return w.APP ?? w.AMOCRM;
}

/** `leads`, `contacts`, `companies`, or null outside a card. */
export function currentEntity(): { type: string; id: number } | null {
  const a = app();
  try {
    const type = a?.getBaseEntity?.();
    const id = a?.data?.current_card?.id;
    return type && typeof id === 'number' ? { type, id } : null;
  } catch {
    return null;
  }
}

export function pageLanguage(): string {
  return app()?.lang_id ?? 'ru';
}
