import { AppError } from '../errors.js';

/**
 * Reads the named string parameters from a query or form body. A repeated or nested parameter
 * (`?code=a&code=b`, `?code[x]=1`) is refused instead of silently picking one.
 */
export function stringParams<K extends string>(source: unknown, names: readonly K[]): Partial<Record<K, string>> {
  const input = (source ?? {}) as Record<string, unknown>;
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const value = input[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new AppError('invalid_parameter', `Parameter "${name}" must be given once, as text.`);
    out[name] = value;
  }
  return out;
}
