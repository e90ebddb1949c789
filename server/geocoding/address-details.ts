/**
 * What a manager types after the house for the courier: the flat (office, premises), entrance,
 * floor and intercom code. "аргуновская 18 кв 5", "д 18 к2 кв. 7 под 2 эт 3", "18/2-7",
 * "офис 5", "домофон 12К". Matching ignores them; the suggestions keep them, in DaData's field
 * names where DaData has them (`flat_type`, `flat`) and ours for the rest (`entrance`, `floor`,
 * `intercom`). Details are read only after a house number: "москва под" is a street being typed.
 */

export interface AddressDetails {
  /** DaData's short flat type: "кв", "офис", "пом". */
  flat_type: string | null;
  flat: string | null;
  entrance: string | null;
  floor: string | null;
  intercom: string | null;
}

const DETAIL_KEYS = ['flat_type', 'flat', 'entrance', 'floor', 'intercom'] as const satisfies ReadonlyArray<keyof AddressDetails>;

type DetailKind = 'flat' | 'entrance' | 'floor' | 'intercom';

/** Each detail's words (as typed, dots optional) and the flat type they stand for. */
const WORDS: Array<{ kind: DetailKind; flatType?: string; words: string[] }> = [
  { kind: 'flat', flatType: 'кв', words: ['квартира', 'кварт', 'кв'] },
  { kind: 'flat', flatType: 'офис', words: ['офис', 'оф'] },
  { kind: 'flat', flatType: 'пом', words: ['помещение', 'помещ', 'пом'] },
  { kind: 'entrance', words: ['подъезд', 'подьезд', 'под', 'п-д', 'пд'] },
  { kind: 'floor', words: ['этаж', 'эт'] },
  { kind: 'intercom', words: ['код домофона', 'домофон', 'домоф', 'код'] },
];
const KIND_OF = new Map(WORDS.flatMap((w) => w.words.map((word) => [word, w] as const)));
const ALTERNATIVES = [...KIND_OF.keys()].sort((a, b) => b.length - a.length).map((w) => w.replace(/ /g, '\\s+')).join('|');

/** One detail at the end of the text: its word, then its value (or nothing yet, while it is typed). */
const TRAILING = new RegExp(`[\\s,]+(${ALTERNATIVES})\\.?(?:\\s*(?:№\\s*)?(-?\\d[\\p{L}\\p{N}#*]{0,9})|\\s+(?:№\\s*)?([\\p{L}#*][\\p{L}\\p{N}#*]{0,9}))?[\\s,.]*$`, 'iu');
/** A detail's word still being typed ("…18 подъ"), unless it may be a house's корпус, строение or литера. */
const PARTIAL = /[\s,]+(\p{L}{2,9})$/u;
const HOUSE_WORDS = ['корпус', 'строение', 'литера'];
const isPartialDetail = (word: string) => {
  const w = word.toLowerCase();
  return [...KIND_OF.keys()].some((d) => d.length > w.length && d.startsWith(w)) && !HOUSE_WORDS.some((h) => h.startsWith(w));
};
/** "18/2-7": a house with a fraction, then the flat after a dash. */
const FRACTION_FLAT = /(\d{1,5}[а-я]?\/\d{1,4}[а-я]?)-(\d{1,4})([\s,.]*)$/iu;
/** The text before details must end in a house: its last word holds a digit ("18", "9 к2", "17А"). */
const ENDS_WITH_HOUSE = /\d[\p{L}\p{N}/-]*[\s,.]*$/u;

function noDetails(): AddressDetails {
  return { flat_type: null, flat: null, entrance: null, floor: null, intercom: null };
}

/**
 * Splits the details off the end of a typed address. `address` is what the index is asked; the
 * text keeps a trailing space when the details were still being typed ("…18 кв"), so that the
 * house counts as finished. `details` is null when none were typed.
 */
export function splitDetails(text: string): { address: string; details: AddressDetails | null } {
  let rest = text;
  const details = noDetails();
  let found = false;
  for (let guard = 0; guard < 8; guard++) {
    const fraction = FRACTION_FLAT.exec(rest);
    if (fraction && details.flat === null) {
      rest = `${rest.slice(0, fraction.index)}${fraction[1]} `;
      details.flat_type = 'кв';
      details.flat = fraction[2];
      found = true;
      continue;
    }
    const m = TRAILING.exec(rest);
    if (!m) {
      const partial = PARTIAL.exec(rest);
      if (partial && isPartialDetail(partial[1]) && ENDS_WITH_HOUSE.test(rest.slice(0, partial.index))) {
        rest = `${rest.slice(0, partial.index)} `;
        found = true;
      }
      break;
    }
    const before = rest.slice(0, m.index);
    if (!ENDS_WITH_HOUSE.test(before)) break;
    const entry = KIND_OF.get(m[1].toLowerCase().replace(/\s+/g, ' '))!;
    const value = m[2] ?? m[3] ?? null;
    // The first value read wins (it is the last typed): "кв 5 кв 6" keeps 6.
    if (entry.kind === 'flat') {
      if (details.flat === null) {
        details.flat_type = entry.flatType!;
        details.flat = value;
      }
    } else if (details[entry.kind] === null) {
      details[entry.kind] = entry.kind === 'intercom' && value ? value.toUpperCase() : value;
    }
    rest = `${before} `;
    found = true;
  }
  if (!found) return { address: text, details: null };
  return { address: rest.replace(/[\s,]+$/, ' '), details };
}

/** Whether any detail has a value. */
export function hasDetails(details: AddressDetails | null): details is AddressDetails {
  return !!details && DETAIL_KEYS.some((k) => details[k] !== null && k !== 'flat_type');
}
