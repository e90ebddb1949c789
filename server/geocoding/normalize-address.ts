/**
 * Normalising an address someone typed without the widget (website forms, webhooks): the best
 * match is used only when it is a house-level address that contains every word that was typed,
 * so a typo fallback can never replace an address with a different place.
 */
import type { AddressService } from './address-service.js';
import type { Suggestion } from './types.js';
import { indexText } from './normalize.js';

export async function normalizeAddress(service: AddressService, accountId: number, text: string): Promise<Suggestion | null> {
  const input = text.trim();
  if (!input || input.length > 300) return null;
  const best = await service.resolve(accountId, input, { language: 'ru' });
  if (!best?.data.house) return null;
  const words = indexText(best.value).split(' ');
  const typed = indexText(input).split(' ').filter(Boolean);
  return typed.every((t) => words.some((w) => w.startsWith(t))) ? best : null;
}
