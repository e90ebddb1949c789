/**
 * What a card shows under the address field after a pick: the verdict (will a courier find it),
 * the delivery chip priced for this lead's budget, and small inputs for what the courier needs —
 * flat or office, entrance, floor, intercom and a comment — filled from what was typed ("д 18 кв 5
 * под 2 эт 3") and editable. An edit rewrites the field's address in DaData's style ("…, д 18,
 * кв 6, подъезд 2") so the card, the inputs and the write-back say the same. Built into
 * delivery.js, which script.js loads at the first pick, so cards never typed in pay nothing.
 */
import type { AddressData, Suggestion } from '../suggest.js';
import type { Translate, I18nKey } from '../i18n.js';
import { isWeakVerdict, budgetOf } from '../../../contract/delivery.js';
import { CHIP_CLASS, zoneChip } from './zone-chip.js';

const STYLE_ID = 'amo-address-delivery-style';
const CSS = `.amo-address__delivery{margin-top:4px;font-size:12px;line-height:18px;color:#1f2a37;max-width:100%}
.amo-address__verdict{display:flex;gap:6px;align-items:baseline;margin:2px 0}
.amo-address__verdict::before{content:"✓";color:#2e7d32;font-weight:bold}
.amo-address__verdict--weak{color:#8a4b00}
.amo-address__verdict--weak::before{content:"!";color:#b45309}
.${CHIP_CLASS}{display:flex;flex-wrap:wrap;align-items:center;column-gap:4px;max-width:100%;margin:2px 0;padding:2px 8px 2px 20px;position:relative;border-radius:10px;color:#1f2a37;background:#f3f5f7;border:1px solid var(--zone-color,#c9d1d9);box-sizing:border-box}
.${CHIP_CLASS}::before{content:"";position:absolute;left:8px;top:7px;width:8px;height:8px;border-radius:50%;background:var(--zone-color,#c9d1d9)}
.${CHIP_CLASS}-part{overflow-wrap:normal}
.${CHIP_CLASS}--outside{color:#8a1c1c;background:#fdecec;border-color:#e5a3a3}
.${CHIP_CLASS}--outside::before{background:#c62828}
.amo-address__details{display:flex;flex-wrap:wrap;gap:4px 8px;margin:4px 0 0;padding:0;border:0}
.amo-address__details legend{padding:0;margin:0 0 2px;font-size:12px;color:#5f6b7a;width:100%}
.amo-address__detail{display:flex;flex-direction:column;min-width:0;flex:1 1 72px}
.amo-address__detail--wide{flex:1 1 100%}
.amo-address__detail span{font-size:11px;color:#5f6b7a}
.amo-address__detail input{min-height:32px;box-sizing:border-box;padding:4px 6px;border:1px solid #c9d1d9;border-radius:3px;font:inherit;font-size:13px;width:100%}
.amo-address__detail input:focus-visible{outline:2px solid #1c5fd6;outline-offset:1px}
@media (pointer:coarse){.amo-address__detail input{min-height:44px;font-size:16px}}`;

export type DetailKey = 'flat' | 'entrance' | 'floor' | 'intercom' | 'courier_comment';
const DETAILS: Array<{ key: DetailKey; label: I18nKey; size: number; wide?: boolean }> = [
  { key: 'flat', label: 'delivery.flat', size: 10 },
  { key: 'entrance', label: 'delivery.entrance', size: 10 },
  { key: 'floor', label: 'delivery.floor', size: 10 },
  { key: 'intercom', label: 'delivery.intercom', size: 10 },
  { key: 'courier_comment', label: 'delivery.comment', size: 200, wide: true },
];

/** The details at the end of our own value, as the answer builder writes them (", кв 5, подъезд 2, этаж 3, домофон 12К"). */
const DETAIL_TAIL = /(?:,\s*(?:кв|офис|пом|подъезд|этаж|домофон)\s+[^,]+)+$/u;

/** The address line with these details, in DaData's order and words. */
export function valueWithDetails(value: string, d: Partial<AddressData>): string {
  const base = value.replace(DETAIL_TAIL, '');
  const tail = [d.flat ? `${d.flat_type ?? 'кв'} ${d.flat}` : null, d.entrance ? `подъезд ${d.entrance}` : null, d.floor ? `этаж ${d.floor}` : null, d.intercom ? `домофон ${d.intercom}` : null];
  return [base, ...tail].filter(Boolean).join(', ');
}

/**
 * The lead's budget as its card shows it (`input[name="lead[PRICE]"]`, the field every budget
 * widget reads; amoCRM writes it with spaces, "3 500"), or null outside a lead card or without one.
 */
export function cardBudget(doc: Document): { value: number | null; input: HTMLInputElement | null } {
  const input = doc.querySelector<HTMLInputElement>('input[name="lead[PRICE]"]');
  const digits = input?.value.replace(/[^\d.,]/g, '').replace(',', '.') ?? '';
  return { value: budgetOf(digits ? Number(digits) : 0), input };
}

export interface DeliveryPanel {
  el: HTMLElement;
  destroy(): void;
}

function injectStyles(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  doc.head.appendChild(style);
}

let panels = 0;

/**
 * The panel for a picked suggestion. `onChange` gets the suggestion again after the manager edits
 * a detail: its value rewritten with the details, its data holding them.
 */
export function deliveryPanel(doc: Document, t: Translate, picked: Suggestion, onChange: (changed: Suggestion) => void): DeliveryPanel {
  injectStyles(doc);
  const id = `amo-address-delivery-${++panels}`;
  const el = doc.createElement('div');
  el.className = 'amo-address__delivery';
  el.setAttribute('role', 'group');
  el.setAttribute('aria-label', t('delivery.label'));
  let data: Partial<AddressData> = { ...picked.data };
  let value = picked.value;

  // The verdict, read out once after the pick (role=status).
  const verdict = data.verdict;
  if (verdict) {
    const line = doc.createElement('div');
    line.className = `amo-address__verdict${isWeakVerdict(verdict) ? ' amo-address__verdict--weak' : ''}`;
    line.setAttribute('role', 'status');
    line.dataset.verdict = verdict;
    line.textContent = t(`delivery.verdict.${verdict}` as I18nKey);
    el.append(line);
  }

  // The chip, priced again whenever the lead's budget changes.
  const budget = cardBudget(doc);
  let chip: HTMLElement | null = null;
  const renderChip = () => {
    const next = zoneChip(doc, t, data, cardBudget(doc).value);
    if (chip) chip.replaceWith(next ?? doc.createTextNode(''));
    else if (next) el.append(next);
    chip = next;
  };
  renderChip();
  const onBudget = () => renderChip();
  budget.input?.addEventListener('input', onBudget);
  budget.input?.addEventListener('change', onBudget);

  // Only a house is a door a courier comes to: details for a street or a settlement mean nothing yet.
  if (data.house) {
    const box = doc.createElement('fieldset');
    box.className = 'amo-address__details';
    const legend = doc.createElement('legend');
    legend.textContent = t('delivery.details');
    box.append(legend);
    for (const detail of DETAILS) {
      const label = doc.createElement('label');
      label.className = `amo-address__detail${detail.wide ? ' amo-address__detail--wide' : ''}`;
      const caption = doc.createElement('span');
      caption.textContent = t(detail.label);
      const input = doc.createElement('input');
      input.type = 'text';
      input.id = `${id}-${detail.key}`;
      input.dataset.detail = detail.key;
      input.maxLength = detail.size;
      input.autocomplete = 'off';
      const current = data[detail.key];
      input.value = detail.key === 'flat' && data.flat_type && data.flat_type !== 'кв' && current ? `${data.flat_type} ${current}` : String(current ?? '');
      input.addEventListener('input', () => {
        data = { ...data, ...detailValue(detail.key, input.value) };
        value = valueWithDetails(value, data);
        onChange({ ...picked, value, data: data as AddressData });
      });
      label.append(caption, input);
      box.append(label);
    }
    el.append(box);
  }

  return {
    el,
    destroy() {
      budget.input?.removeEventListener('input', onBudget);
      budget.input?.removeEventListener('change', onBudget);
      el.remove();
    },
  };
}

/** An input's text as the answer's keys: "офис 5" is an office, a bare "5" a flat; the intercom code in capitals. */
function detailValue(key: DetailKey, raw: string): Partial<AddressData> {
  const text = raw.trim() || null;
  if (key === 'flat') {
    const typed = text ? /^(кв|квартира|офис|оф|пом|помещение)\.?\s*(.+)$/iu.exec(text) : null;
    const type = typed ? ({ кв: 'кв', квартира: 'кв', офис: 'офис', оф: 'офис', пом: 'пом', помещение: 'пом' } as Record<string, string>)[typed[1].toLowerCase()] : 'кв';
    return { flat: typed ? typed[2] : text, flat_type: text ? type : null };
  }
  if (key === 'intercom') return { intercom: text ? text.toUpperCase() : null };
  return { [key]: text };
}
