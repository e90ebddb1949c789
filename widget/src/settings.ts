/** Widget settings: defaults merged with what the admin saved, in one place (tom-select's getSettings). */
export interface WidgetSettings {
  fieldIds: number[];
  minChars: number;
  count: number;
  biasCity: string | null;
  backendUrl: string;
}

export const DEFAULT_FIELD_IDS = [762381];

export interface SavedSettings {
  field_ids?: string;
  min_chars?: string;
  count?: string;
  bias_city?: string;
  backend_url?: string;
  /** amoCRM's own: 'Y' or 'N' (reference §2, get_settings). */
  active?: string;
}

export function parseFieldIds(text: string | undefined): number[] | null {
  if (text === undefined || text.trim() === '') return DEFAULT_FIELD_IDS;
  const parts = text.split(/[,;\s]+/).filter(Boolean);
  const ids = parts.map((p) => (/^\d{1,12}$/.test(p) ? Number(p) : NaN));
  return ids.every((n) => Number.isSafeInteger(n) && n > 0) ? [...new Set(ids)] : null;
}

function intInRange(text: string | undefined, fallback: number, min: number, max: number): number | null {
  if (text === undefined || text.trim() === '') return fallback;
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

/** The effective settings; invalid saved values fall back to the defaults (the settings page refuses them). */
export function resolveSettings(saved: SavedSettings | undefined, defaultBackendUrl: string): WidgetSettings {
  const s = saved ?? {};
  return {
    fieldIds: parseFieldIds(s.field_ids) ?? DEFAULT_FIELD_IDS,
    minChars: intInRange(s.min_chars, 3, 1, 10) ?? 3,
    count: intInRange(s.count, 7, 1, 20) ?? 7,
    biasCity: s.bias_city?.trim() || null,
    backendUrl: (s.backend_url?.trim() || defaultBackendUrl).replace(/\/+$/, ''),
  };
}

/** Problems the settings page shows before letting amoCRM save. */
export function settingsProblems(saved: SavedSettings): Array<'invalid_fields' | 'invalid_number'> {
  const problems: Array<'invalid_fields' | 'invalid_number'> = [];
  if (!saved.field_ids?.trim() || parseFieldIds(saved.field_ids) === null) problems.push('invalid_fields');
  if (intInRange(saved.min_chars, 3, 1, 10) === null || intInRange(saved.count, 7, 1, 20) === null) problems.push('invalid_number');
  return problems;
}
