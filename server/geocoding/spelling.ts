/**
 * Typo correction against the index's own vocabulary (every word FTS5 holds, read through
 * fts5vocab), the way spellfix-style correctors work: a trigram index of some tens of thousands
 * of distinct words is far cheaper to search than one of every address.
 */
import type { PlacesRepository } from '../store/places-repository.js';
import { editDistance, trigramSimilarity } from './normalize.js';

const CANDIDATES = 30;
const MIN_SIMILARITY = 0.4;

export class Speller {
  constructor(private readonly repository: () => PlacesRepository) {}

  private get places(): PlacesRepository {
    return this.repository();
  }

  /** The closest known word, or null when `word` is known (or nothing is close enough). */
  correct(word: string, asPrefix: boolean): string | null {
    // House numbers ("17к1") and postal codes are never spelling mistakes.
    if (word.length < 3 || /^p?\d/.test(word) || this.known(word, asPrefix)) return null;
    const grams = new Set<string>();
    for (let i = 0; i + 3 <= word.length; i++) grams.add(word.slice(i, i + 3));
    const expression = [...grams].map((g) => `"${g.replace(/"/g, '""')}"`).join(' OR ');
    // Fewest edits first (a swap of two neighbours is one: "Руставлеи" is Руставели, not
    // Рустави), then the closer length, then shared trigrams.
    const maxEdits = word.length <= 5 ? 1 : 2;
    let best: { word: string; rank: [number, number, number] } | null = null;
    for (const candidate of this.places.similarWords(expression, CANDIDATES)) {
      // A word still being typed is compared with the candidate's beginning.
      const against = asPrefix ? candidate.slice(0, word.length) : candidate;
      const edits = editDistance(word, against);
      const similarity = trigramSimilarity(word, asPrefix ? candidate.slice(0, word.length + 1) : candidate);
      if (edits > maxEdits && (similarity < MIN_SIMILARITY || candidate.length < word.length)) continue;
      // Two slips in a short word that also change its first letter make another word, not a
      // typo of this one ("тверская" is not Северская).
      if (edits >= 2 && word.length <= 8 && against[0] !== word[0]) continue;
      const rank: [number, number, number] = [Math.min(edits, maxEdits + 1), Math.abs(against.length - word.length), -similarity];
      if (!best || compare(rank, best.rank) < 0) best = { word: candidate, rank };
    }
    return best?.word ?? null;
  }

  known(word: string, asPrefix: boolean): boolean {
    return this.places.knows(word, asPrefix);
  }
}

const compare = (a: [number, number, number], b: [number, number, number]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
