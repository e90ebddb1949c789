import type { z } from 'zod';
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
