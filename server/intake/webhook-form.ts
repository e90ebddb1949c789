/**
 * Reads amoCRM's form-encoded webhook bodies (`leads[update][0][custom_fields][1][values][0][value]=…`,
 * reference §7) into nested objects in one pass. Numeric indexes become object keys, never
 * arrays: qs rebuilds arrays into objects past `arrayLimit`, which made a 10,000-parameter body
 * take seconds (quadratic); here every parameter costs one walk down its own path.
 * Limits: WEBHOOK_FORM_LIMITS. Objects have no prototype, so `__proto__` is an ordinary key.
 */
export const WEBHOOK_FORM_LIMITS = { parameters: 10_000, depth: 8, keyLength: 300 } as const;

export type FormValue = string | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export class FormLimitError extends Error {}

const KEY = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;
const SEGMENT = /\[([^[\]]*)\]/g;

export function parseWebhookForm(text: string): FormObject {
  const root: FormObject = Object.create(null);
  let count = 0;
  for (const [key, value] of new URLSearchParams(text)) {
    if (++count > WEBHOOK_FORM_LIMITS.parameters) throw new FormLimitError(`more than ${WEBHOOK_FORM_LIMITS.parameters} parameters`);
    if (key.length > WEBHOOK_FORM_LIMITS.keyLength) continue;
    const match = KEY.exec(key);
    if (!match) continue;
    const path = [match[1], ...Array.from(match[2].matchAll(SEGMENT), (m) => m[1])];
    if (path.length > WEBHOOK_FORM_LIMITS.depth || path.some((segment) => segment === '')) continue;
    let node = root;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      node = typeof next === 'object' ? next : (node[segment] = Object.create(null) as FormObject);
    }
    const last = path[path.length - 1];
    if (typeof node[last] !== 'object') node[last] = value;
  }
  return root;
}

/** The values of an indexed group (`x[0]`, `x[1]`, …) in index order. */
export function indexed(value: FormValue | undefined): FormObject[] {
  if (!value || typeof value !== 'object') return [];
  return Object.keys(value)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => value[k])
    .filter((v): v is FormObject => typeof v === 'object');
}
