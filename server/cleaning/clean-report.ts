/**
 * The check's report and the apply's old values as CSV files for Excel: UTF-8 with a byte-order
 * mark (without it Excel reads UTF-8 as the locale's code page and the Cyrillic is lost), ";"
 * between columns (the list separator of a Russian locale), CRLF, every cell quoted. A cell an
 * address typed by a person could turn into a formula (starting with = + - @) is prefixed with
 * an apostrophe, as OWASP's CSV-injection advice says.
 */
import type { Writable } from 'node:stream';
import type { CleanClass, CleanRow, CleanRowState } from '../../contract/cleaning.js';
import type { Verdict } from '../../contract/delivery.js';

export type CsvWords = 'ru' | 'en';

const WORDS = {
  ru: {
    report: ['ID', 'Ссылка', 'Результат', 'Было', 'Станет', 'Точность', 'Зона', 'Доставка, ₽', 'Запись', 'Причина'],
    undo: ['ID', 'Ссылка', 'Было до записи', 'Записано', 'Поля до записи (JSON)'],
    class: { unchanged: 'без изменений', normalise: 'будет нормализован', ambiguous: 'неоднозначен', not_found: 'не найден', empty: 'пусто' } as Record<CleanClass, string>,
    verdict: { house: 'дом', house_approximate: 'дом, точка приблизительная', street: 'только улица', settlement: 'только населённый пункт', not_found: 'не найден', ambiguous: 'неоднозначен' } as Record<Verdict, string>,
    state: { none: '', selected: 'выбрана', applied: 'записана', skipped: 'пропущена', parked: 'отклонена amoCRM', undone: 'отменена' } as Record<CleanRowState, string>,
  },
  en: {
    report: ['ID', 'Link', 'Result', 'Old value', 'New value', 'Precision', 'Zone', 'Delivery price', 'Write', 'Reason'],
    undo: ['ID', 'Link', 'Value before the write', 'Written', 'Fields before the write (JSON)'],
    class: { unchanged: 'unchanged', normalise: 'will be normalised', ambiguous: 'ambiguous', not_found: 'not found', empty: 'empty' } as Record<CleanClass, string>,
    verdict: { house: 'house', house_approximate: 'house, approximate point', street: 'street only', settlement: 'settlement only', not_found: 'not found', ambiguous: 'ambiguous' } as Record<Verdict, string>,
    state: { none: '', selected: 'chosen', applied: 'written', skipped: 'skipped', parked: 'refused by amoCRM', undone: 'undone' } as Record<CleanRowState, string>,
  },
};

export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

const line = (cells: Array<string | number | null | undefined>) => `${cells.map(csvCell).join(';')}\r\n`;

/** Writes, waiting for the reader when its buffer is full (a 10,000-row report never sits whole in memory). */
async function put(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
}

export async function reportCsv(out: Writable, pages: AsyncIterable<CleanRow[]>, lang: CsvWords): Promise<void> {
  const w = WORDS[lang];
  await put(out, `\uFEFF${line(w.report)}`);
  for await (const rows of pages) {
    await put(out, rows.map((r) => line([r.entityId, r.link, w.class[r.class], r.oldValue, r.newValue, r.verdict ? w.verdict[r.verdict] : '', r.zone, r.price, w.state[r.state], r.reason])).join(''));
  }
  out.end();
}

export async function undoCsv(out: Writable, pages: AsyncIterable<Array<{ entityId: number; link: string; oldValue: string; newValue: string | null; oldFields: unknown }>>, lang: CsvWords): Promise<void> {
  await put(out, `\uFEFF${line(WORDS[lang].undo)}`);
  for await (const rows of pages) await put(out, rows.map((r) => line([r.entityId, r.link, r.oldValue, r.newValue, JSON.stringify(r.oldFields)])).join(''));
  out.end();
}
