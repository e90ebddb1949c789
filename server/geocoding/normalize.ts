/**
 * Text normalisation shared by the index and the queries, so both sides fold the same way:
 * lower case, ё→е, punctuation dropped, address type words folded away (ул/улица, пр-т/проспект…).
 * FTS5's unicode61 does not fold ё (geocoding-notes, FTS5 facts).
 */

/** Address type words and their abbreviations: not part of a name, so not required to match. */
const TYPE_WORDS = new Set(
  [
    'г', 'гор', 'город', 'ул', 'улица', 'пр', 'пр-т', 'пр-кт', 'просп', 'проспект', 'пер', 'переулок', 'пл', 'площадь',
    'б-р', 'бул', 'бульвар', 'ш', 'шоссе', 'наб', 'набережная', 'пр-д', 'проезд', 'туп', 'тупик', 'мкр', 'микрорайон',
    'д', 'дом', 'к', 'корп', 'корпус', 'стр', 'строение', 'кв', 'квартира', 'оф', 'офис', 'обл', 'область', 'р-н', 'район',
    'пос', 'поселок', 'п', 'пгт', 'с', 'село', 'дер', 'деревня', 'респ', 'республика', 'край', 'ао', 'тер', 'аллея', 'ал',
    'st', 'street', 'ave', 'avenue', 'rd', 'road', 'kucha', 'kuchasi', 'кошесі', 'көшесі', 'вулиця', 'вул', 'вуліца',
  ].map((w) => w.replace(/-/g, '')),
);

/** Removes everything but letters and digits; hyphenated abbreviations (пр-т, б-р, р-н) join first. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/(^|[^\p{L}])(пр|б|р)-(т|кт|р|д|н)(?![\p{L}])/gu, '$1$2$3')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function isTypeWord(token: string): boolean {
  return TYPE_WORDS.has(token);
}

/** A partial word that could still become a type word ("ули" → "улица"). */
export function couldBeTypeWord(prefix: string): boolean {
  if (prefix.length < 2) return false;
  for (const word of TYPE_WORDS) if (word.length > prefix.length && word.startsWith(prefix)) return true;
  return false;
}

/** The words of a stored address that the index holds: normalised, type words removed. */
export function indexText(...parts: Array<string | null | undefined>): string {
  const words = parts
    .filter((p): p is string => !!p)
    .flatMap((p) => normalize(p).split(' '))
    .filter((w) => w && !isTypeWord(w));
  return [...new Set(words)].join(' ');
}

export interface ParsedQuery {
  /** whole words the result must contain */
  words: string[];
  /** the word being typed: matched as a prefix; null when the query ends with a space */
  prefix: string | null;
  /** the normalised query, for exact-prefix ranking */
  normalized: string;
}

export function parseQuery(query: string): ParsedQuery {
  const normalized = normalize(query);
  const endsWithSpace = /[\s,.;]$/.test(query);
  let tokens = normalized ? normalized.split(' ') : [];
  let prefix = endsWithSpace ? null : (tokens.pop() ?? null);
  const meaningful = tokens.filter((t) => !isTypeWord(t));
  // Type words are not required to match; if nothing else is left keep them as typed.
  if (meaningful.length || (prefix && !isTypeWord(prefix))) tokens = meaningful;
  if (prefix && tokens.length && (isTypeWord(prefix) || couldBeTypeWord(prefix))) prefix = null;
  return { words: tokens, prefix, normalized: indexText(normalized) };
}

/** An FTS5 MATCH expression: every whole word, then the prefix; each quoted. */
export function ftsExpression(parsed: ParsedQuery): string | null {
  const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;
  const parts = parsed.words.map(quote);
  if (parsed.prefix) parts.push(`${quote(parsed.prefix)}*`);
  return parts.length ? parts.join(' ') : null;
}

const QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
const JCUKEN = 'йцукенгшщзхъфывапролджэячсмитьбюё';

/** Text typed with the wrong keyboard layout: "vjcrdf" → "москва". Null when nothing changes. */
export function fromQwertyLayout(text: string): string | null {
  let changed = false;
  const out = [...text.toLowerCase()]
    .map((ch) => {
      const i = QWERTY.indexOf(ch);
      if (i < 0) return ch;
      changed = true;
      return JCUKEN[i];
    })
    .join('');
  return changed ? out : null;
}

/** Trigram similarity of two normalised strings (0..1), for ranking typo-tolerant matches. */
export function trigramSimilarity(a: string, b: string): number {
  const grams = (s: string) => {
    const set = new Set<string>();
    const padded = `  ${s} `;
    for (let i = 0; i + 3 <= padded.length; i++) set.add(padded.slice(i, i + 3));
    return set;
  };
  const ga = grams(a);
  const gb = grams(b);
  let shared = 0;
  for (const g of ga) if (gb.has(g)) shared++;
  return shared / (ga.size + gb.size - shared || 1);
}
