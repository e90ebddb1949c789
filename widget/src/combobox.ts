/**
 * The autocomplete view on one input: list, keyboard, mouse, ARIA combobox/listbox roles
 * (WAI-ARIA APG "combobox with listbox popup"). It knows nothing of amoCRM or the network.
 * Every listener goes through `bind`, and `destroy` removes them all and restores the input's
 * attributes (flatpickr's _handlers, tom-select's revertSettings).
 */
import type { Suggestion } from './suggest.js';

export interface ComboboxTexts {
  loading: string;
  nothingFound: string;
  listLabel: string;
  /** What a screen reader hears when a list of `n` arrives ("5 адресов: выберите стрелками…"). */
  results(n: number): string;
}

export interface ComboboxCallbacks {
  /** The person typed: `text` is the input's value. */
  onType(text: string): void;
  /** A suggestion was chosen (Enter, Tab, click). */
  onPick(suggestion: Suggestion): void;
  /** Escape or leaving the field: the pending query is dropped. */
  onCancel(): void;
}

const ATTRIBUTES = ['autocomplete', 'role', 'aria-autocomplete', 'aria-expanded', 'aria-controls', 'aria-activedescendant', 'aria-haspopup'];
let instances = 0;

export class Combobox {
  readonly list: HTMLUListElement;
  /** "Поиск…" and "Ничего не найдено", shown where the list would be: not options, so not in the listbox. */
  readonly status: HTMLDivElement;
  /** Screen readers hear counts and "nothing found" here (a polite live region, not shown). */
  readonly live: HTMLDivElement;
  private readonly handlers: Array<() => void> = [];
  private readonly savedAttributes = new Map<string, string | null>();
  private items: Suggestion[] = [];
  private active = -1;
  /** What the person typed, kept while arrow keys preview items in the input. */
  private typed = '';
  private readonly id: string;

  constructor(
    readonly input: HTMLInputElement | HTMLTextAreaElement,
    private readonly texts: ComboboxTexts,
    private readonly callbacks: ComboboxCallbacks,
  ) {
    this.id = `amo-address-list-${++instances}`;
    for (const name of ATTRIBUTES) this.savedAttributes.set(name, input.getAttribute(name));
    const doc = input.ownerDocument;
    this.list = doc.createElement('ul');
    this.list.id = this.id;
    this.list.className = 'amo-address__list';
    this.list.setAttribute('role', 'listbox');
    this.list.setAttribute('aria-label', texts.listLabel);
    this.list.hidden = true;
    this.status = doc.createElement('div');
    this.status.className = 'amo-address__status';
    this.status.setAttribute('aria-hidden', 'true'); // the live region says it once
    this.status.hidden = true;
    this.live = doc.createElement('div');
    this.live.className = 'amo-address__live';
    this.live.setAttribute('role', 'status');
    this.live.setAttribute('aria-live', 'polite');
    this.live.setAttribute('aria-atomic', 'true');
    input.insertAdjacentElement('afterend', this.live);
    input.insertAdjacentElement('afterend', this.status);
    input.insertAdjacentElement('afterend', this.list);

    // Browser autofill would cover our list (AUTOCOMPLETE_OFF says how it is kept away).
    input.setAttribute('autocomplete', AUTOCOMPLETE_OFF);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-haspopup', 'listbox');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', this.id);

    this.bind(input, 'input', () => {
      this.typed = input.value;
      this.callbacks.onType(input.value);
    });
    this.bind(input, 'keydown', (e) => this.onKeyDown(e as KeyboardEvent));
    // Leaving the field with an item highlighted (and shown in the input) picks it, exactly as a
    // click does — DaData's plugin does the same, and the card must never show a value it was
    // not told about. With nothing highlighted, the one suggestion that matches what was typed
    // (onlyMatch, as Enter) is taken too: the field keeps a normalised address. Otherwise the
    // typed text stays.
    this.bind(input, 'blur', () => {
      if (!this.isOpen) return this.close();
      const index = this.active >= 0 ? this.active : onlyMatch(this.items, this.typed);
      return index >= 0 ? this.pick(index) : this.close();
    });
    // mousedown, not click: the input must not lose focus (and close the list) first.
    this.bind(this.list, 'mousedown', (e) => {
      const li = (e.target as Element).closest('li[data-index]');
      if (!li) return;
      e.preventDefault();
      this.pick(Number(li.getAttribute('data-index')));
    });
    this.bind(this.list, 'mousemove', (e) => {
      const li = (e.target as Element).closest('li[data-index]');
      if (li) this.highlight(Number(li.getAttribute('data-index')), false);
    });
  }

  get isOpen(): boolean {
    return !this.list.hidden;
  }

  get activeIndex(): number {
    return this.active;
  }

  showLoading(): void {
    if (this.items.length && this.isOpen) return; // keep the previous list visible while the next one loads
    this.showStatus(this.texts.loading, false);
  }

  /**
   * `caption`: why the list is what it is ("Дома 5 нет в данных сервера…"), shown as its first row:
   * a disabled option (read out, never highlighted or picked), inside the popup where it is seen.
   */
  showResults(query: string, suggestions: Suggestion[], caption: string | null = null): void {
    this.items = suggestions;
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
    // Which text this list answers (the typing benchmark and the tests read it).
    this.list.dataset.query = query;
    if (!suggestions.length) return this.showStatus(this.texts.nothingFound, true);
    const doc = this.input.ownerDocument;
    const rows = suggestions.map((s, i) => {
      const li = doc.createElement('li');
      li.id = `${this.id}-${i}`;
      li.className = 'amo-address__item';
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.index = String(i);
      li.append(...highlightMatches(doc, s.value, query));
      return li;
    });
    if (caption) {
      const li = doc.createElement('li');
      li.className = 'amo-address__caption';
      li.setAttribute('role', 'option');
      li.setAttribute('aria-disabled', 'true');
      li.textContent = caption;
      rows.unshift(li);
    }
    this.list.replaceChildren(...rows);
    this.status.hidden = true;
    this.open();
    this.live.textContent = (caption ? `${caption}. ` : '') + this.texts.results(suggestions.length);
  }

  close(): void {
    this.list.hidden = true;
    this.status.hidden = true;
    this.live.textContent = ''; // a closed list's count must not be read out after a pick
    this.items = [];
    this.active = -1;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  /** Removes every listener and element this view added and restores the input. */
  destroy(): void {
    this.handlers.splice(0).forEach((off) => off());
    this.list.remove();
    this.status.remove();
    this.live.remove();
    for (const [name, value] of this.savedAttributes) {
      if (value === null) this.input.removeAttribute(name);
      else this.input.setAttribute(name, value);
    }
  }

  private bind(target: EventTarget, type: string, handler: (e: Event) => void): void {
    target.addEventListener(type, handler);
    this.handlers.push(() => target.removeEventListener(type, handler));
  }

  private onKeyDown(e: KeyboardEvent): void {
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        if (!this.isOpen || !this.items.length) return;
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        const next = this.active + step;
        // Past either end: back to what was typed (APG pattern).
        this.highlight(next < -1 ? this.items.length - 1 : next >= this.items.length ? -1 : next, true);
        return;
      }
      case 'Enter': {
        // An address is one line: Enter never reaches a textarea as a newline, nor submits the card while the list is open.
        if (this.isOpen || this.input.tagName === 'TEXTAREA') e.preventDefault();
        if (!this.isOpen || !this.items.length) return;
        const index = this.active >= 0 ? this.active : onlyMatch(this.items, this.typed);
        if (index >= 0) this.pick(index);
        return;
      }
      case 'Tab':
        if (this.isOpen && this.active >= 0) this.pick(this.active);
        return;
      case 'Escape':
        if (!this.isOpen) return;
        e.preventDefault();
        e.stopPropagation(); // amoCRM closes the card on Escape otherwise
        this.input.value = this.typed;
        this.close();
        this.callbacks.onCancel();
        return;
    }
  }

  private highlight(index: number, preview: boolean): void {
    const items = this.list.querySelectorAll('li[data-index]');
    items.forEach((li, i) => {
      li.classList.toggle('amo-address__item--active', i === index);
      li.setAttribute('aria-selected', String(i === index));
    });
    this.active = index;
    if (index >= 0) this.input.setAttribute('aria-activedescendant', `${this.id}-${index}`);
    else this.input.removeAttribute('aria-activedescendant');
    if (preview) this.input.value = index >= 0 ? this.items[index].value : this.typed;
  }

  private pick(index: number): void {
    const suggestion = this.items[index];
    if (!suggestion) return;
    this.close();
    this.callbacks.onPick(suggestion);
  }

  /** A status line where the list would be; the listbox closes (it would hold no options). */
  private showStatus(text: string, announce: boolean): void {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.status.textContent = text;
    this.status.hidden = false;
    this.place(this.status);
    if (announce) this.live.textContent = text;
  }

  private open(): void {
    this.list.hidden = false;
    this.place(this.list);
    this.input.setAttribute('aria-expanded', 'true');
  }

  /**
   * Under the input (or above it when there is more room there), in the input's own positioned
   * ancestor (the popup is its sibling), as wide as the field and never past the viewport's
   * edges: on a phone a narrow field beside its label gets a list that wraps instead of one that
   * runs off screen.
   */
  private place(popup: HTMLElement): void {
    const input = this.input as HTMLElement;
    const view = input.ownerDocument.defaultView;
    const viewWidth = view?.innerWidth ?? 1024;
    const viewHeight = view?.innerHeight ?? 768;
    const field = input.getBoundingClientRect();
    const margin = 8;
    // The field's width, widened to 280 px only where the viewport has that room.
    const width = Math.min(Math.max(input.offsetWidth, 280), viewWidth - 2 * margin);
    // Shift left by what would overflow the right edge (never past the left one).
    const overflow = Math.max(0, field.left + width - (viewWidth - margin));
    const shift = Math.min(overflow, Math.max(0, field.left - margin));
    popup.style.width = `${width}px`;
    popup.style.minWidth = '';
    popup.style.left = `${input.offsetLeft - shift}px`;
    // Above when it does not fit below and there is more room above (the popup is visible here,
    // so its natural height can be read).
    const room = { below: viewHeight - field.bottom - margin, above: field.top - margin };
    const cap = popup === this.list ? 320 : Number.POSITIVE_INFINITY;
    popup.style.maxHeight = '';
    const natural = Math.min(popup.scrollHeight, cap);
    const up = natural > room.below && room.above > room.below;
    const height = Math.min(natural, Math.max(up ? room.above : room.below, 120));
    if (popup === this.list) popup.style.maxHeight = `${height}px`;
    popup.classList.toggle('amo-address--above', up);
    popup.style.top = up ? `${input.offsetTop - height - 4}px` : `${input.offsetTop + input.offsetHeight}px`;
  }
}

/**
 * Keeps Chrome's address autofill off our list with a token the HTML standard lists (axe's
 * autocomplete-valid): Chrome ignores "off" on fields it takes for an address, and an invalid
 * token is an accessibility error. Measured in Chromium 156 with --show-autofill-type-predictions
 * (test/e2e/autofill.test.ts): with "off" or nothing the field is ADDRESS_HOME_LINE1; with
 * "transaction-currency", a valid token Chrome keeps no data for, it is UNKNOWN_TYPE and nothing
 * is offered. The input's own value comes back on destroy.
 */
export const AUTOCOMPLETE_OFF = 'transaction-currency';

const words = (text: string) => text.toLowerCase().replace(/ё/g, 'е').split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/**
 * Enter with nothing highlighted (as DaData's plugin): the one suggestion whose words hold every
 * typed word (whole, or the last one as a prefix) — or, among several, the one whose words are
 * exactly the typed ones. Otherwise -1: the typed text stays.
 */
export function onlyMatch(items: Suggestion[], typed: string): number {
  const want = words(typed);
  if (!want.length) return -1;
  const matches = items
    .map((s, index) => ({ index, have: words(s.value) }))
    .filter(({ have }) => want.every((w, i) => have.some((h) => h === w || (i === want.length - 1 && h.startsWith(w)))));
  if (matches.length === 1) return matches[0].index;
  const exact = matches.filter(({ have }) => have.length === want.length);
  return exact.length === 1 ? exact[0].index : -1;
}

/** The suggestion's text with the typed words in <strong>; built as nodes, never as HTML. */
function highlightMatches(doc: Document, value: string, query: string): Node[] {
  const words = query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  if (!words.length) return [doc.createTextNode(value)];
  const nodes: Node[] = [];
  const re = /[\p{L}\p{N}]+|[^\p{L}\p{N}]+/gu;
  for (const [part] of value.matchAll(re)) {
    const lower = part.toLowerCase();
    const word = words.find((w) => lower.startsWith(w));
    if (word && /[\p{L}\p{N}]/u.test(part)) {
      const strong = doc.createElement('strong');
      strong.textContent = part.slice(0, word.length);
      nodes.push(strong, doc.createTextNode(part.slice(word.length)));
    } else {
      nodes.push(doc.createTextNode(part));
    }
  }
  return nodes;
}
