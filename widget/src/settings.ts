/** Widget settings: defaults merged with what the admin saved, in one place (tom-select's getSettings). */
export interface WidgetSettings {
  fieldIds: number[];
  minChars: number;
  count: number;
  biasCity: string | null;
  backendUrl: string;
}

/**
 * Every default and bound of the widget's settings, in one object: what an admin who saves
 * nothing gets (the delivery-address field 762381 is only the default; field ids are settings).
 */
export const WIDGET_DEFAULTS = {
  fieldIds: [762381],
  minChars: { value: 3, min: 1, max: 10 },
  count: { value: 7, min: 1, max: 20 },
  /**
   * Milliseconds of quiet typing before a suggestion request (suggest.ts debounceFor): inside a
   * word, after a separator, while a house number is typed. Chosen by measuring (docs/benchmarks.md, typing).
   */
  debounce: { word: 300, separator: 150, house: 50 },
} as const;

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
  if (text === undefined || text.trim() === '') return [...WIDGET_DEFAULTS.fieldIds];
  const parts = text.split(/[,;\s]+/).filter(Boolean);
  const ids = parts.map((p) => (/^\d{1,12}$/.test(p) ? Number(p) : NaN));
  return ids.every((n) => Number.isSafeInteger(n) && n > 0) ? [...new Set(ids)] : null;
}

function intInRange(text: string | undefined, { value, min, max }: { value: number; min: number; max: number }): number | null {
  if (text === undefined || text.trim() === '') return value;
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

/** The effective settings; invalid saved values fall back to the defaults (the settings page refuses them). */
export function resolveSettings(saved: SavedSettings | undefined, defaultBackendUrl: string): WidgetSettings {
  const s = saved ?? {};
  return {
    fieldIds: parseFieldIds(s.field_ids) ?? [...WIDGET_DEFAULTS.fieldIds],
    minChars: intInRange(s.min_chars, WIDGET_DEFAULTS.minChars) ?? WIDGET_DEFAULTS.minChars.value,
    count: intInRange(s.count, WIDGET_DEFAULTS.count) ?? WIDGET_DEFAULTS.count.value,
    biasCity: s.bias_city?.trim() || null,
    backendUrl: (s.backend_url?.trim() || defaultBackendUrl).replace(/\/+$/, ''),
  };
}

/** Problems the settings page shows before letting amoCRM save. */
export function settingsProblems(saved: SavedSettings): Array<'invalid_fields' | 'invalid_number'> {
  const problems: Array<'invalid_fields' | 'invalid_number'> = [];
  if (!saved.field_ids?.trim() || parseFieldIds(saved.field_ids) === null) problems.push('invalid_fields');
  if (intInRange(saved.min_chars, WIDGET_DEFAULTS.minChars) === null || intInRange(saved.count, WIDGET_DEFAULTS.count) === null) problems.push('invalid_number');
  return problems;
}
