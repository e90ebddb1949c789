/**
 * Russian house numbers, parsed into their parts and written one canonical way, so that every
 * spelling a manager (or a data source) uses finds the same house:
 *   "17к1", "17 к1", "17 к 1", "17 корп. 1", "д. 17, корпус 1", "дом 17 к.1"  →  17к1
 *   "30/2с3", "30/2 стр. 3"  →  30/2с3      "5-7 с1"  →  5-7с1      "12А", "12 а"  →  12а
 *   "4 лит. А", "4 литера А"  →  4лита
 * Parts: number (a range "5-7" allowed), letter, fraction (/2), корпус, строение, литера.
 */

export interface HouseParts {
  number: string;
  letter: string | null;
  fraction: string | null;
  korpus: string | null;
  stroenie: string | null;
  litera: string | null;
}

const HOUSE_WORD = String.raw`(?:дом|д)\.?`;
const KORPUS = String.raw`(?:корпус|корп|кор|к)\.?`;
const STROENIE = String.raw`(?:строение|стр|ст|с)\.?`;
const LITERA = String.raw`(?:литера|литер|лит|л)\.?`;
const SEP = String.raw`[\s,]*`;

/** A whole house number at the start of `text` (after an optional "д."/"дом"). */
const HOUSE = new RegExp(
  String.raw`^(?:${HOUSE_WORD}\s*)?(\d{1,5}(?:-\d{1,5})?)` + // number, or a range 5-7
    String.raw`(?:\s*([а-яa-z])(?![а-яa-z]))?` + // letter: 12А, 12 а (a single letter, not a word)
    String.raw`(?:\s*/\s*(\d{1,4}[а-я]?))?` + // fraction: 30/2
    String.raw`(?:${SEP}${KORPUS}\s*(\d{1,4}[а-я]?))?` +
    String.raw`(?:${SEP}${STROENIE}\s*(\d{1,4}[а-я]?))?` +
    String.raw`(?:${SEP}${LITERA}\s*([а-я]))?` +
    String.raw`\s*$`,
  'iu',
);

export function parseHouse(text: string | null | undefined): HouseParts | null {
  if (!text) return null;
  const cleaned = text.toLowerCase().replace(/ё/g, 'е').trim();
  const m = HOUSE.exec(cleaned);
  if (!m) return null;
  // "12 к" or "12 с" alone is a korpus/stroenie still being typed, not a letter.
  const letter = m[2] && !(m[2] === 'к' || m[2] === 'с') ? m[2] : null;
  if (m[2] && !letter && !m[4] && !m[5]) return null;
  return { number: m[1], letter, fraction: m[3] ?? null, korpus: m[4] ?? null, stroenie: m[5] ?? null, litera: m[6] ?? null };
}

export function canonicalHouse(parts: HouseParts): string {
  return `${parts.number}${parts.letter ?? ''}${parts.fraction ? `/${parts.fraction}` : ''}${parts.korpus ? `к${parts.korpus}` : ''}${parts.stroenie ? `с${parts.stroenie}` : ''}${parts.litera ? `лит${parts.litera}` : ''}`;
}

/**
 * The canonical key of a stored house and its block (an address source may keep the корпус
 * apart: OpenAddresses UNIT, "к 2"); unparsable numbers are kept, lower-cased, as they are.
 */
export function houseKey(house: string | null | undefined, block: string | null | undefined = null): string | null {
  if (!house) return null;
  const joined = block ? `${house} ${/^\d/.test(block) ? `к${block}` : block}` : house;
  const parts = parseHouse(joined);
  return parts ? canonicalHouse(parts) : joined.toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();
}

/**
 * The token the index holds for a canonical house: FTS5's tokenizer splits on "/", so the
 * fraction is written with "x" ("30/2с3" → "30x2с3"). The bare number is indexed beside it, so
 * "Косинская 17 " (a finished number) still finds 17к1, after the exact 17.
 */
export function houseTokens(canonical: string): string[] {
  const token = canonical.replace(/\//g, 'x');
  const base = /^\d+/.exec(canonical)?.[0];
  return base && base !== token ? [token, base] : [token];
}
