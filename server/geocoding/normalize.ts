/**
 * Text normalisation shared by the index and the queries, so both sides fold the same way:
 * lower case, ё→е, punctuation dropped, address type words folded away (ул/улица, пр-т/проспект…).
 * FTS5's unicode61 does not fold ё (geocoding-notes, FTS5 facts).
 */
import { canonicalHouse, houseTokens, parseHouse } from './house-number.js';

/** Address type words and their abbreviations: not part of a name, so not required to match. */
const TYPE_WORDS = new Set(
  [
    'г', 'гор', 'город', 'ул', 'улица', 'пр', 'пр-т', 'пр-кт', 'просп', 'проспект', 'пер', 'переулок', 'пл', 'площадь',
    'б-р', 'бул', 'бульвар', 'ш', 'шоссе', 'наб', 'набережная', 'пр-д', 'проезд', 'туп', 'тупик', 'мкр', 'микрорайон',
    'д', 'дом', 'к', 'корп', 'корпус', 'стр', 'строение', 'кв', 'квартира', 'оф', 'офис', 'обл', 'область', 'р-н', 'район',
    'пос', 'поселок', 'п', 'пгт', 'с', 'село', 'дер', 'деревня', 'респ', 'республика', 'край', 'ао', 'тер', 'аллея', 'ал',
    'зд', 'соор', 'влд', 'двлд', 'уч', 'лит', 'литера', 'здание', 'сооружение', 'владение', 'участок', 'пл-ка',
    'st', 'street', 'ave', 'avenue', 'rd', 'road', 'kucha', 'kuchasi', 'кошесі', 'көшесі', 'вулиця', 'вул', 'вуліца',
  ].map((w) => w.replace(/-/g, '')),
);

/** Street type words by what they stand for: a typed one prefers streets of that type. */
const STREET_TYPES: Record<string, string[]> = {
  улица: ['ул', 'улица', 'вулиця', 'вул', 'вуліца', 'кошесі', 'көшесі', 'kucha', 'kuchasi'],
  проспект: ['пр', 'прт', 'пркт', 'просп', 'проспект'],
  переулок: ['пер', 'переулок'],
  бульвар: ['бр', 'бул', 'бульвар'],
  шоссе: ['ш', 'шоссе'],
  набережная: ['наб', 'набережная'],
  площадь: ['пл', 'площадь'],
  проезд: ['прд', 'проезд'],
  тупик: ['туп', 'тупик'],
  микрорайон: ['мкр', 'микрорайон'],
  аллея: ['ал', 'аллея'],
  street: ['st', 'street'],
  road: ['rd', 'road'],
  avenue: ['ave', 'avenue'],
};
const STREET_TYPE_OF = new Map(Object.entries(STREET_TYPES).flatMap(([type, forms]) => forms.map((f) => [f, type] as const)));
const FULL_TYPE_WORDS = [...TYPE_WORDS].filter((w) => w.length >= 5);

/** The street type a stored word names, exactly ("переулок", "пер"); stored names carry no typos. */
export function exactStreetTypeOf(token: string): string | null {
  return STREET_TYPE_OF.get(token) ?? null;
}

/**
 * The street type a typed token names — exactly ("ул", "пр-т" → улица, проспект) or with one slip of
 * the finger in a full word ("улиац", "переуок", "проспетк"); null for any other word.
 */
export function streetTypeOf(token: string): string | null {
  const exact = STREET_TYPE_OF.get(token);
  if (exact) return exact;
  const typo = typoOfTypeWord(token);
  return typo ? (STREET_TYPE_OF.get(typo) ?? null) : null;
}

/** The full type word `token` is a typo of (same length ±1, most letters shared), or null. */
function typoOfTypeWord(token: string): string | null {
  if (token.length < 5 || TYPE_WORDS.has(token) || /\d/.test(token)) return null;
  for (const word of FULL_TYPE_WORDS) {
    if (Math.abs(word.length - token.length) > 1 || word[0] !== token[0]) continue;
    if (editDistance(word, token) <= 2 && sameLetters(word, token)) return word;
  }
  return null;
}

/** Damerau-Levenshtein distance (a swap of two neighbours counts once). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** All but at most one letter of the shorter word occur in the longer (a swap keeps them all). */
function sameLetters(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return [...short].filter((ch) => !long.includes(ch)).length <= 1;
}

/** Removes everything but letters and digits; hyphenated abbreviations (пр-т, б-р, р-н) join first. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/(^|[^\p{L}])(пр|б|р)-(т|кт|р|д|н)(?![\p{L}])/gu, '$1$2$3')
    // Ordinals stay one word ("2-я Новоостанкинская" is not house 2 of "я Новоостанкинская").
    .replace(/(\d)-(я|й|е|го|ая|ой|ий|ый)(?![\p{L}])/gu, '$1$2')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function isTypeWord(token: string): boolean {
  return TYPE_WORDS.has(token) || typoOfTypeWord(token) !== null;
}

/** Whether a word being typed could be the start of a type word, from its first letter ("у" → "улица"). */
export function startsTypeWord(prefix: string): boolean {
  for (const word of TYPE_WORDS) if (word.startsWith(prefix)) return true;
  return false;
}

/** A partial word that could still become a type word ("ули" → "улица"). */
export function couldBeTypeWord(prefix: string): boolean {
  if (prefix.length < 2) return false;
  for (const word of TYPE_WORDS) if (word.length > prefix.length && word.startsWith(prefix)) return true;
  return false;
}

/**
 * The words of a stored address that the index holds: normalised, type words removed, the house
 * number in its canonical form (house-number.ts) beside its bare number.
 */
export function indexText(...parts: Array<string | null | undefined>): string {
  const words = parts
    .filter((p): p is string => !!p)
    .flatMap((p) => {
      const { rest, house } = splitHouse(p);
      const all = normalize(rest).split(' ').filter(Boolean);
      const named = all.filter((w) => !TYPE_WORDS.has(w));
      // A name that is itself a type word ("ул Набережная", "Площадь") keeps it: it is the name.
      return [...(named.length ? named : all), ...(house ? houseTokens(house) : [])];
    });
  return [...new Set(words)].join(' ');
}

/** A postal code in the index: prefixed, so that a house number being typed never matches one. */
export const postcodeToken = (code: string) => `p${code.replace(/\D/g, '')}`;
const POSTCODE = /^\d{5,6}$/;

/** A house number still being typed: "17 к", "17 корп.", "30/" — its canonical beginning. */
const PARTIAL_HOUSE = /^(?:(?:дом|д)\.?\s*)?(\d{1,5}[а-я]?)(?:\s*(\/)\s*(\d{0,4}))?(?:[\s,]*(к|корп|корпус|с|стр|строение)\.?)?$/;

/**
 * Splits the house number off the end of an address ("Косинская ул., д. 17, корп. 1" → rest
 * "Косинская ул.", house "17к1"); `partial` when the number is still being typed ("17 к").
 */
export function splitHouse(text: string): { rest: string; house: string | null; partial: boolean } {
  const tokens = text.split(/(?=[\s,])/);
  for (let i = 0; i < tokens.length; i++) {
    const candidate = tokens.slice(i).join('').replace(/^[\s,]+/, '');
    if (!/^(?:(?:дом|д)\.?\s*)?\d/i.test(candidate)) continue;
    const rest = tokens.slice(0, i).join('');
    const parts = parseHouse(candidate);
    if (parts) return { rest, house: canonicalHouse(parts), partial: false };
    const m = PARTIAL_HOUSE.exec(candidate.toLowerCase().replace(/ё/g, 'е').trim());
    if (m) {
      const kind = m[4] ? (m[4].startsWith('к') ? 'к' : 'с') : '';
      return { rest, house: `${m[1]}${m[2] ? `/${m[3]}` : ''}${kind}`, partial: true };
    }
  }
  return { rest: text, house: null, partial: false };
}

export interface ParsedQuery {
  /** whole words the result must contain */
  words: string[];
  /** the word being typed: matched as a prefix; null when the query ends with a space */
  prefix: string | null;
  /** the normalised query, for exact-prefix ranking */
  normalized: string;
  /** the house number typed, canonical (house-number.ts), or null */
  house: string | null;
  /** whether that house number is still being typed ("17 к") */
  housePartial: boolean;
  /** the street types the query names ("переулок" for "пер."): streets of that type rank first */
  streetTypes: string[];
}

/** A house number written first, as in Western addresses: "87 Hatton Garden", "5 A Paasivuorenkatu". */
const LEADING_HOUSE = /^\s*(\d{1,5}(?:-\d{1,5})?)(?:\s*([a-zа-я])(?![\p{L}\p{N}]))?[\s,]+(?=\p{L}{2})/iu;

export function parseQuery(query: string): ParsedQuery {
  const endsWithSpace = /[\s,.;]$/.test(query);
  let split = splitHouse(query);
  // A number written first ("87 Hatton Garden") is finished: a whole word, added after the
  // street's words are read (its last word may still be being typed).
  const leading = split.house === null ? LEADING_HOUSE.exec(query) : null;
  const leadingHouse = leading ? `${leading[1]}${(leading[2] ?? '').toLowerCase()}` : null;
  if (leading) split = { rest: query.slice(leading[0].length), house: null, partial: false };
  const restNormalized = normalize(split.rest);
  let tokens = restNormalized ? restNormalized.split(' ') : [];
  let prefix: string | null = null;
  let house = split.house;
  if (house !== null) {
    // The house is the last thing typed: a prefix until a space ends it (then "17" is "17", and 17к1 ranks after it).
    if (endsWithSpace && !split.partial) tokens.push(houseTokens(house)[0]);
    else prefix = houseTokens(house)[0];
  } else {
    prefix = endsWithSpace ? null : (tokens.pop() ?? null);
  }
  const streetTypes = [...new Set([...tokens, prefix ?? ''].map((t) => streetTypeOf(t)).filter((t): t is string => t !== null))];
  // A type word right after another one is a name ("ул Набережная", "пер Площадь").
  const meaningful = tokens.filter((t, i) => !isTypeWord(t) || (i > 0 && t.length >= 5 && TYPE_WORDS.has(t) && isTypeWord(tokens[i - 1])));
  // Type words are not required to match; if nothing else is left keep them as typed.
  if (meaningful.length || (prefix && !isTypeWord(prefix))) tokens = meaningful;
  if (prefix && house === null && tokens.length && (isTypeWord(prefix) || couldBeTypeWord(prefix))) prefix = null;
  // A lone 5–6 digit number is a postal code, never the start of a house number.
  tokens = tokens.map((t) => (POSTCODE.test(t) ? postcodeToken(t) : t));
  if (prefix && house === null && POSTCODE.test(prefix)) prefix = postcodeToken(prefix);
  if (house && POSTCODE.test(house) && !tokens.length) {
    prefix = postcodeToken(house);
    house = null;
  }
  if (leadingHouse) {
    tokens.push(houseTokens(leadingHouse)[0]);
    house = leadingHouse;
  }
  const normalized = [...tokens, ...(prefix ? [prefix] : [])].join(' ');
  return { words: tokens, prefix, normalized, house, housePartial: split.partial, streetTypes };
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

const LEADING_POSTCODE = /^\s*\d{6},\s*(?=\S)/;
const LEADING_REGION = /^\s*([^,]+\s(?:обл|край|АО|Аобл)|Респ\s[^,]+|[^,]+\sРесп),\s*(?=\S)/u;

/**
 * An address written the way our answers write it in full ("443017, Самарская обл, г Тольятти,
 * ул Ленина, д 5": DaData's unrestricted value, or a value outside a region's capital): the index
 * holds no region words, so a leading postal code is read past and the region comes back apart,
 * to be preferred rather than required.
 */
export function splitRegion(text: string): { rest: string; region: string | null } {
  const rest = text.replace(LEADING_POSTCODE, '');
  const region = LEADING_REGION.exec(rest);
  // The region's name without its type ("Самарская обл" → самарская): what the ranking's preference compares.
  return region ? { rest: rest.slice(region[0].length), region: indexText(region[1]) || null } : { rest, region: null };
}

/** The text without a leading postal code and region (splitRegion). */
export const withoutRegion = (text: string) => splitRegion(text).rest;
