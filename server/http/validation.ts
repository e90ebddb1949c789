import { z } from 'zod';
import { AppError } from '../errors.js';

/** Parses with a zod schema; the first problem becomes a 400 that names the field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = (issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path).join('.') || 'body';
  const message = issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
  throw new AppError('invalid_parameter', `"${field}" ${message}.`, { field });
}

/**
 * The web origins a site key may be used from in a browser: "https://shop.example" (scheme, host,
 * optional port; nothing after), at most 10. Given as a list or as one space- or comma-separated text.
 */
export const webOrigins = z
  .union([z.array(z.string()), z.string().transform((s) => s.split(/[\s,]+/))])
  .transform((list) => [...new Set(list.map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean))])
  .refine((list) => list.length <= 10, 'must name at most 10 origins')
  .refine((list) => list.every((o) => /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(o)), 'must be origins such as https://shop.example (scheme and host, no path)');

/**
 * One part of an address's `data` as the widget sends it back: DaData's scalars (text up to 200
 * characters, numbers, null) and its lists (`history_values`, `metro`, `divisions`: a street's
 * former names, the nearest stations), which a DaData answer carries and a pick keeps.
 */
export const addressPart = z.union([z.string().max(200), z.number(), z.null(), z.array(z.union([z.string().max(200), z.record(z.string(), z.union([z.string().max(200), z.number(), z.null()]))])).max(20), z.record(z.string(), z.unknown())]);
