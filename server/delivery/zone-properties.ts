/**
 * What a zone file says about each zone, read the way people fill it in: Yandex's map
 * constructor has only a free-text `description` (a bare price "500", "зона 3 Доставка 200 ₽",
 * "Ленинский округ - 600 рублей. Бесплатная доставка - при заказе от 7000 рублей", HTML with
 * `</br>`), Google My Maps a Placemark name ("Центр 85 грн"), other tools named properties
 * (`title`, `price`, `time`, `priority`, `Name: "800_delivery"`). Real examples: ../shared/zones.
 */

export interface ZoneDescription {
  name: string | null;
  price: number | null;
  freeFrom: number | null;
  /** The smallest order delivered ("минимальный заказ 1500 ₽", `min_order`). */
  minOrder: number | null;
  time: string | null;
  color: string | null;
  noDelivery: boolean;
  /** The file's own text for the zone, as plain text (shown in the console). */
  note: string | null;
  /** An explicit order from the file (`priority`, `order`): lower first. */
  priority: number | null;
}

const NAME_KEYS = ['title', 'name', 'Name', 'NAME', 'zone_name', 'zoneName', 'Zone', 'zone', 'iconCaption', 'hintContent'];

/** The name a file gives a feature itself, or null (several features with one name are one zone). */
export function namedIn(props: Record<string, unknown>): string | null {
  const v = firstOf(props, NAME_KEYS);
  return v === undefined ? null : String(v).trim();
}
const PRICE_KEYS = ['price', 'Price', 'cost', 'delivery_price', 'стоимость', 'цена'];
const FREE_KEYS = ['free_from', 'freeFrom', 'free_delivery_from', 'min_free'];
const MIN_ORDER_KEYS = ['min_order', 'minOrder', 'min_sum', 'minimum_order', 'min_order_sum', 'минимальный_заказ'];
const TIME_KEYS = ['time', 'delivery_time', 'deliveryTime', 'Time', 'время'];
const PRIORITY_KEYS = ['priority', 'order', 'sort'];

// `\b` is ASCII-only in JS: a Cyrillic "р" ends where no letter follows.
const CURRENCY = String.raw`(?:₽|руб\p{L}*\.?|р\.|р(?!\p{L})|rub(?!\p{L})|грн\.?|uah(?!\p{L})|₴|тг(?!\p{L})|₸|\$|usd(?!\p{L})|€|eur(?!\p{L}))`;
const AMOUNT = String.raw`(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,]\d{1,2})?`;
const PRICE_RE = new RegExp(`${AMOUNT}\\s*${CURRENCY}`, 'iu');
const FREE_FROM_RE = new RegExp(String.raw`(?:бесплатн\p{L}*(?:\s+доставк\p{L}*)?|free(?:\s+delivery)?)[^\d\n]{0,40}?(?:от|from|over|на|>=?)\s*${AMOUNT}\s*(?:${CURRENCY})?`, 'iu');
const FREE_FROM_AFTER_RE = new RegExp(String.raw`от\s*${AMOUNT}\s*(?:${CURRENCY})?\s*[-–—:]?\s*бесплатн\p{L}*`, 'iu');
const MIN_ORDER_RE = new RegExp(String.raw`(?:мин(?:имальн\p{L}*|\.)?\s*(?:сумм\p{L}*\s+)?заказ\p{L}*|заказ\p{L}*\s+от|min(?:imum|\.)?\s+order)[^\d\n]{0,20}?(?:от|from)?\s*${AMOUNT}\s*(?:${CURRENCY})?`, 'iu');
const TIME_RE = /(\d+(?:[.,]\d+)?(?:\s*[-–—]\s*\d+(?:[.,]\d+)?)?\s*(?:минут\p{L}*|мин\.?|час(?:а|ов)?(?!\p{L})|ч\.|дн(?:я|ей)(?!\p{L})|день|сут\p{L}*|minutes?|min(?!\p{L})|hours?|days?))/iu;
const NO_DELIVERY_RE = /не\s+возим|не\s+доставляем|нет\s+доставки|доставки\s+нет|без\s+доставки|no\s+delivery|not\s+delivered|sin\s+env[ií]o/iu;
const FREE_RE = /^\s*(?:free|бесплатн)/iu;

const number = (text: string) => Number(text.replace(/[ \u00a0]/g, '').replace(',', '.'));

/** HTML as the constructor stores it (`<strong>`, `</br>`, entities) to plain lines. */
export function plainText(html: string): string {
  return html
    .replace(/<\s*\/?\s*(?:br|p|div|li)\b[^>]*>/giu, '\n')
    .replace(/<[^>]*>/gu, '')
    .replace(/&nbsp;/gu, ' ')
    .replace(/&lt;/gu, '<')
    .replace(/&gt;/gu, '>')
    .replace(/&quot;/gu, '"')
    .replace(/&#(\d+);/gu, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/gu, '&')
    .split('\n')
    .map((l) => l.replace(/\s+/gu, ' ').trim())
    .filter(Boolean)
    .join('\n');
}

function firstOf(props: Record<string, unknown>, keys: string[]): unknown {
  for (const key of keys) {
    const v = props[key];
    if (v !== undefined && v !== null && String(v).trim() !== '') return v;
  }
  return undefined;
}

function numeric(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const m = v.match(new RegExp(AMOUNT, 'u'));
    if (m) return number(m[1]);
  }
  return null;
}

/** `#rgb`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()` to `#rrggbb`; null for anything else. */
export function cssColor(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const s = v.trim();
  let m = s.match(/^#?([0-9a-f]{6})(?:[0-9a-f]{2})?$/iu);
  if (m) return `#${m[1].toLowerCase()}`;
  m = s.match(/^#?([0-9a-f])([0-9a-f])([0-9a-f])$/iu);
  if (m) return `#${m[1]}${m[1]}${m[2]}${m[2]}${m[3]}${m[3]}`.toLowerCase();
  m = s.match(/^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})/iu);
  if (m) return `#${[m[1], m[2], m[3]].map((c) => Math.min(255, Number(c)).toString(16).padStart(2, '0')).join('')}`;
  return null;
}

/** KML's colour is `aabbggrr` (KML 2.2 §16.9). */
export function kmlColor(v: string | null | undefined): string | null {
  const m = v?.trim().match(/^([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/iu);
  return m ? `#${m[4]}${m[3]}${m[2]}`.toLowerCase() : null;
}

/** "800_delivery" → "800 delivery": an identifier read as words. */
const humane = (s: string) => s.replace(/[_]+/gu, ' ').replace(/\s+/gu, ' ').trim();

/**
 * A zone's name, price, free-delivery threshold, time and colour from its properties and
 * description. `title` is the name a person reads; the description's first line is the name
 * when nothing else names the zone (its price phrase cut off).
 */
export function describeZone(props: Record<string, unknown>, description: string | null): ZoneDescription {
  const note = description ? plainText(description) : null;
  const explicitName = firstOf(props, NAME_KEYS);
  let text = note ?? '';

  // Free-delivery threshold first: its amount is not the price.
  let freeFrom = numeric(firstOf(props, FREE_KEYS));
  for (const re of [FREE_FROM_RE, FREE_FROM_AFTER_RE]) {
    const m = text.match(re);
    if (m) {
      freeFrom ??= number(m[1]);
      text = text.replace(m[0], ' ');
    }
  }

  let minOrder = numeric(firstOf(props, MIN_ORDER_KEYS));
  const min = text.match(MIN_ORDER_RE);
  if (min) {
    minOrder ??= number(min[1]);
    text = text.replace(min[0], ' ');
  }

  let price = numeric(firstOf(props, PRICE_KEYS));
  const nameText = explicitName !== undefined ? humane(String(explicitName)) : null;
  if (price === null && nameText) {
    const m = nameText.match(PRICE_RE) ?? nameText.match(/^(\d+)\s+delivery$/iu);
    if (m) price = number(m[1]);
    else if (FREE_RE.test(nameText)) price = 0;
  }
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (price === null) {
    const m = text.match(PRICE_RE);
    if (m) price = number(m[1]);
    else {
      // The constructor's bare "500" (alone, or on a line under the zone's name).
      const bare = lines.find((l) => /^\d+(?:[.,]\d+)?$/u.test(l));
      if (bare) price = number(bare);
    }
  }

  const timeValue = firstOf(props, TIME_KEYS);
  const time = timeValue !== undefined ? String(timeValue).trim() : (text.match(TIME_RE)?.[1] ?? null);

  let name = nameText;
  if (name) name = stripPrice(name) || name;
  else if (lines.length) name = stripPrice(lines[0]);
  if (name && (name.length > 80 || !/\p{L}/u.test(name))) name = name.length > 80 ? `${name.slice(0, 77).trim()}…` : null;

  const priority = numeric(firstOf(props, PRIORITY_KEYS));
  return {
    name: name || null,
    price,
    freeFrom,
    minOrder,
    time: time || null,
    color: cssColor(props.fill) ?? cssColor(props.stroke) ?? cssColor(props['marker-color']) ?? cssColor(props.color),
    noDelivery: NO_DELIVERY_RE.test(`${nameText ?? ''}\n${note ?? ''}`),
    note,
    priority,
  };
}

/** "Ленинский округ - 600 рублей." → "Ленинский округ"; "зона 3 Доставка 200 ₽" → "зона 3"; "Стоимость доставки: 500 р." → "". */
function stripPrice(line: string): string {
  return line
    .replace(PRICE_RE, ' ')
    .replace(/стоимость\s+доставки|цена|price/giu, ' ')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/(?:^|\s)доставка$/iu, '')
    .replace(/^[\s\-–—:,.]+|[\s\-–—:,.]+$/gu, '')
    .trim();
}
