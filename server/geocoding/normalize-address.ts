/**
 * Normalising an address someone typed without the widget (website forms, webhooks): the best
 * match is used only when it is a house-level address that contains every word that was typed,
 * so a guess can never replace an address with a different place. The check also says
 * how sure it is (contract/delivery.ts, Verdict). One slip in a long word is allowed (a typo
 * finds the house, as it does in the widget). A text that fits several places equally well
 * ("Ленина 5" in two cities) is `ambiguous` and replaced by none of them.
 */
import type { AddressService } from './address-service.js';
import type { Suggestion } from './types.js';
import { editDistance, indexText } from './normalize.js';
import { splitDetails } from './address-details.js';
import type { Verdict } from '../../contract/delivery.js';

export interface AddressCheck {
  /** The best match at any level (the street of a house the data lacks), or null. */
  match: Suggestion | null;
  verdict: Verdict;
  /** The house-level match to write instead of the text, or null. */
  replacement: Suggestion | null;
}

const wordsOf = (text: string) => indexText(text).split(' ').filter(Boolean);
/**
 * A typed word is in the match when a word of it starts so, or is the same word with one slip
 * (a letter missed, added, changed, or two neighbours swapped: "Косинсквя") — in a word of 5 or
 * more letters, and with the same first letter, so that a short word never becomes another word.
 */
const fitsWord = (typed: string, word: string) =>
  word.startsWith(typed) || (typed.length >= 5 && typed[0] === word[0] && /\p{L}/u.test(typed[0]) && editDistance(typed, word) <= 1);
const holdsAll = (value: string, typed: string[]) => {
  // The match's own details ("…, д 1 стр 20, кв 149") are not address words either.
  const words = wordsOf(splitDetails(value).address);
  return typed.every((t) => words.some((w) => fitsWord(t, w)));
};
const level = (s: Suggestion) => (s.data.house ? 'house' : s.data.street ? 'street' : 'settlement');

export async function checkAddress(service: AddressService, accountId: number, text: string): Promise<AddressCheck> {
  const input = text.trim();
  if (!input || input.length > 300) return { match: null, verdict: 'not_found', replacement: null };
  const { suggestions, note } = await service.suggest(accountId, input, { count: 3, language: 'ru' });
  const best = suggestions[0] ?? null;
  if (!best) return { match: null, verdict: 'not_found', replacement: null };
  // The details typed after the house ("кв 5", "домофон 12К") are not address words.
  const typed = wordsOf(splitDetails(input).address);
  const fits = holdsAll(best.value, typed);
  // Another place of the same level that the typed words fit just as well: nothing tells them apart.
  const rival = fits && suggestions.slice(1).some((s) => level(s) === level(best) && s.value !== best.value && holdsAll(s.value, typed) && s.data.city !== best.data.city);
  if (rival) return { match: best, verdict: 'ambiguous', replacement: null };
  // The house is not in the data: its street is what is known.
  if (note) return { match: best, verdict: note.code === 'house_not_found' ? 'street' : 'settlement', replacement: null };
  return { match: best, verdict: best.data.verdict, replacement: best.data.house && fits ? best : null };
}

export async function normalizeAddress(service: AddressService, accountId: number, text: string): Promise<Suggestion | null> {
  return (await checkAddress(service, accountId, text)).replacement;
}
