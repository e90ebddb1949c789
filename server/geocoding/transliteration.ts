/**
 * Russian words typed in Latin letters: "moskva argunovskaya 18", "ul. Tverskaya", "Shchukinskaya".
 * One reading that covers the systems people actually use (passport/ICAO, BGN/PCGN, GOST 7.79's
 * "y"): digraphs first (shch, zh, kh, ts, ch, sh, ya, yu, yo), "y" after a vowel is й, elsewhere
 * ы. What it reads imprecisely ("е" for "э") the typo corrector forgives.
 */

const DIGRAPHS: Array<[string, string]> = [
  ['shch', 'щ'], ['sch', 'щ'],
  ['zh', 'ж'], ['kh', 'х'], ['ts', 'ц'], ['tz', 'ц'], ['ch', 'ч'], ['sh', 'ш'],
  ['ya', 'я'], ['ia', 'я'], ['ja', 'я'], ['yu', 'ю'], ['iu', 'ю'], ['ju', 'ю'], ['yo', 'ё'], ['jo', 'ё'], ['ye', 'е'],
];
const LETTERS: Record<string, string> = {
  a: 'а', b: 'б', v: 'в', g: 'г', d: 'д', e: 'е', z: 'з', i: 'и', j: 'й', k: 'к', l: 'л', m: 'м', n: 'н', o: 'о', p: 'п',
  r: 'р', s: 'с', t: 'т', u: 'у', f: 'ф', h: 'х', c: 'ц', w: 'в', q: 'к', x: 'кс', "'": 'ь', '`': 'ь',
};
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

/** The Cyrillic reading of Latin letters in `text`, or null when it has none. */
export function fromLatin(text: string): string | null {
  if (!/[a-z]/i.test(text)) return null;
  const lower = text.toLowerCase();
  let out = '';
  for (let i = 0; i < lower.length; ) {
    const digraph = DIGRAPHS.find(([latin]) => lower.startsWith(latin, i));
    // "ye" and "ya" after a consonant-less start are the vowel; "y" + vowel in a word's middle too.
    if (digraph) {
      out += digraph[1];
      i += digraph[0].length;
      continue;
    }
    const ch = lower[i];
    if (ch === 'y') {
      const previous = lower[i - 1];
      out += previous && VOWELS.has(previous) ? 'й' : 'ы';
    } else {
      out += LETTERS[ch] ?? ch;
    }
    i++;
  }
  return out;
}
