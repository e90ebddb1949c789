/**
 * Typo correction against the index's own vocabulary (every word FTS5 holds, read through
 * fts5vocab), the way spellfix-style correctors work: a trigram index of some tens of thousands
 * of distinct words is far cheaper to search than one of every address.
 */
import type { PlacesRepository } from '../store/places-repository.js';
import { trigramSimilarity } from './normalize.js';

const CANDIDATES = 30;
const MIN_SIMILARITY = 0.4;

export class Speller {
  constructor(private readonly places: PlacesRepository) {}

  /** The closest known word, or null when `word` is known (or nothing is close enough). */
  correct(word: string, asPrefix: boolean): string | null {
    if (word.length < 3 || this.known(word, asPrefix)) return null;
    const grams = new Set<string>();
    for (let i = 0; i + 3 <= word.length; i++) grams.add(word.slice(i, i + 3));
    const expression = [...grams].map((g) => `"${g.replace(/"/g, '""')}"`).join(' OR ');
    let best: { word: string; score: number } | null = null;
    for (const candidate of this.places.similarWords(expression, CANDIDATES)) {
      // A word still being typed is compared with the candidate's beginning.
      const score = trigramSimilarity(word, asPrefix ? candidate.slice(0, word.length + 1) : candidate);
      if (score >= MIN_SIMILARITY && (!best || score > best.score)) best = { word: candidate, score };
    }
    return best?.word ?? null;
  }

  known(word: string, asPrefix: boolean): boolean {
    return this.places.knows(word, asPrefix);
  }
}
