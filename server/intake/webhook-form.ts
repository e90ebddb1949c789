/**
 * Reads amoCRM's form-encoded webhook bodies (`leads[update][0][custom_fields][1][values][0][value]=…`,
 * reference §7) into nested objects. Numeric indexes become object keys, never arrays: qs
 * rebuilds arrays into objects past `arrayLimit`, which made a 10,000-parameter body take
 * seconds (quadratic); here every parameter costs one walk down its own path.
 * Objects have no prototype, so `__proto__` is an ordinary key.
 */
import { unescape } from 'node:querystring';

/**
 * Sized to amoCRM's deliveries, which are bounded by what they carry, not by a documented cap
 * (amoCRM publishes none). In the v2 layout (reference §7; amoCRM docs webhooks-format) an entity
 * is about 20 parameters plus 3–5 per custom field value: a lead with 60 filled fields is
 * about 300 parameters and 25 KB. 5,000 parameters / 512 KB hold a delivery of 15 such leads,
 * or 100+ plain ones, and keep the worst body's parse near 25 ms of work, done in a worker thread (webhook-parser.ts).
 */
export const WEBHOOK_FORM_LIMITS = { bytes: 512 * 1024, parameters: 5_000, depth: 8, keyLength: 300 } as const;

export type FormValue = string | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export class FormLimitError extends Error {}

const KEY = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;
const SEGMENT = /\[([^[\]]*)\]/g;

/** How many parameters a body holds, counted on its raw bytes (or text) before anything is decoded. */
export function countParameters(body: string | Buffer): number {
  if (body.length === 0) return 0;
  const amp = typeof body === 'string' ? '&' : 0x26;
  let count = 1;
  for (let at = body.indexOf(amp as never); at !== -1; at = body.indexOf(amp as never, at + 1)) count++;
  return count;
}

/** A whole body at once; `keep` (by key path) leaves out what the caller never reads. */
export function parseWebhookForm(text: string, keep?: (path: string[]) => boolean): FormObject {
  if (countParameters(text) > WEBHOOK_FORM_LIMITS.parameters) throw new FormLimitError(`more than ${WEBHOOK_FORM_LIMITS.parameters} parameters`);
  const form = new FormBuilder(text, keep);
  while (form.step(Infinity));
  return form.root;
}

/**
 * Builds the form one parameter at a time; `keep` (by key path) leaves out what the caller never
 * reads, so custom field values are not even decoded.
 */
class FormBuilder {
  readonly root: FormObject = Object.create(null);
  private at = 0;
  private count = 0;

  constructor(
    private readonly text: string,
    private readonly keep: (path: string[]) => boolean = () => true,
  ) {}

  get position(): number {
    return Math.min(this.at, this.text.length);
  }

  /** Adds up to `n` parameters; false when the text is used up. */
  step(n: number): boolean {
    const { text } = this;
    for (let done = 0; done < n; done++) {
      if (this.at >= text.length) return false;
      let end = text.indexOf('&', this.at);
      if (end === -1) end = text.length;
      const pair = text.slice(this.at, end);
      this.at = end + 1;
      if (pair === '') continue;
      this.count++;
      const eq = pair.indexOf('=');
      // As URLSearchParams reads a form: '+' is a space, a broken %-escape stays as written.
      const path = this.path(decode(eq === -1 ? pair : pair.slice(0, eq)));
      if (path && this.keep(path)) this.add(path, eq === -1 ? '' : decode(pair.slice(eq + 1)));
    }
    return this.at < text.length;
  }

  /** `a[b][0]` → ['a', 'b', '0']; null for a key that is too long, too deep or malformed. */
  private path(key: string): string[] | null {
    if (key.length > WEBHOOK_FORM_LIMITS.keyLength) return null;
    const match = KEY.exec(key);
    if (!match) return null;
    const path = [match[1], ...Array.from(match[2].matchAll(SEGMENT), (m) => m[1])];
    return path.length > WEBHOOK_FORM_LIMITS.depth || path.some((segment) => segment === '') ? null : path;
  }

  private add(path: string[], value: string): void {
    let node = this.root;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      node = typeof next === 'object' ? next : (node[segment] = Object.create(null) as FormObject);
    }
    const last = path[path.length - 1];
    if (typeof node[last] !== 'object') node[last] = value;
  }
}

function decode(raw: string): string {
  return unescape(raw.includes('+') ? raw.replace(/\+/g, ' ') : raw);
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
