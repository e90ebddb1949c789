/**
 * One address field in a card: the engine and the view joined, plus the choice's parts kept for
 * the write-back and a small notice when suggestions cannot work. Nothing here may throw into
 * amoCRM's page: every callback is guarded.
 */
import { Combobox } from './combobox.js';
import { BackendError, SuggestEngine, type Suggestion, type SuggestNote, type Transport } from './suggest.js';
import { setControlValue, type FieldControl } from './card.js';
import { fill, resultsText, type Translate } from './i18n.js';
import { WIDGET_DEFAULTS, type WidgetSettings } from './settings.js';
import type { DeliveryPanel, DeliveryPanelModule } from './delivery/entry.js';

export interface FieldDeps {
  transport: Transport;
  settings: WidgetSettings;
  t: Translate;
  jquery?: (el: Element) => { trigger(event: string): unknown };
  /** One quiet time for every kind of typing (tests); the measured defaults otherwise. */
  debounceMs?: number;
  /** Where a chosen suggestion (with its resolved parts) is kept, by field id. */
  onChosen?: (fieldId: string, suggestion: Suggestion) => void;
  /** The control belongs to an entity amoCRM has not created yet (a new card, id 0). */
  isNew?: () => boolean;
  /** The panel under the field after a pick (delivery.js: verdict, chip, courier's details), loaded on first need; null when it cannot be. */
  delivery?: () => Promise<DeliveryPanelModule | null>;
}


export class FieldAutocomplete {
  readonly engine: SuggestEngine;
  readonly combobox: Combobox;
  private notice: HTMLElement | null = null;
  private panel: DeliveryPanel | null = null;
  private blocked = false;
  /** Set while we write the control ourselves: that `input` event is not the person typing. */
  private writing = false;

  constructor(
    readonly control: FieldControl,
    private readonly deps: FieldDeps,
  ) {
    const { settings, t } = deps;
    this.combobox = new Combobox(control, { loading: t('address.loading'), nothingFound: t('address.nothing_found'), listLabel: t('address.list_label'), results: (n) => resultsText(t, n) }, {
      onType: (text) => guard(() => {
        if (this.writing) return;
        this.showPanel(null); // the panel was about the picked address, not what is typed now
        if (!this.blocked) this.engine.input(text);
      }),
      onPick: (s) => guard(() => this.pick(s)),
      onCancel: () => guard(() => this.engine.cancel()),
    });
    this.engine = new SuggestEngine({
      transport: deps.transport,
      debounce: deps.debounceMs === undefined ? WIDGET_DEFAULTS.debounce : { word: deps.debounceMs, separator: deps.debounceMs, house: deps.debounceMs },
      minChars: settings.minChars,
      count: settings.count,
      bias: settings.biasCity,
      onLoading: () => guard(() => this.combobox.showLoading()),
      onResults: (query, suggestions, note) => guard(() => {
        // Fetch the panel's code now, so that it is there at the pick.
        void this.deps.delivery?.();
        this.hideNotice();
        if (control.ownerDocument.activeElement !== control) return;
        this.combobox.showResults(query, suggestions, note ? noteText(t, note) : null);
      }),
      onIdle: () => guard(() => this.combobox.close()),
      onError: (error) => guard(() => this.fail(error)),
    });
  }

  destroy(): void {
    this.engine.cancel();
    this.combobox.destroy();
    this.notice?.remove();
    this.notice = null;
    this.showPanel(null);
  }

  private pick(suggestion: Suggestion): void {
    const d = suggestion.data ?? ({} as Suggestion['data']);
    const aboveHouse = !d.house && !!(d.street || d.city || d.settlement);
    const focused = this.control.ownerDocument.activeElement === this.control;
    if (aboveHouse && focused) {
      // Like DaData's plugin: a street (or city) is a step, not a destination; the backend answers
      // "<street>, " with the street's houses and "<city>, " with its streets.
      const next = `${suggestion.value}, `;
      this.write(next);
      this.engine.now(next);
      return;
    }
    this.write(suggestion.value);
    this.engine.cancel();
    if (this.deps.isNew?.()) this.showNotice(this.deps.t('address.parts_after_save'));
    void this.keep(suggestion);
  }

  private write(value: string): void {
    this.writing = true;
    try {
      setControlValue(this.control, value, this.deps.jquery);
    } finally {
      this.writing = false;
    }
  }

  /** Resolves the chosen value once for postal code and coordinates, then remembers it. */
  private async keep(suggestion: Suggestion): Promise<void> {
    let chosen = suggestion;
    if (suggestion.data?.postal_code == null || suggestion.data?.lat == null) {
      const resolved = await this.engine.resolve(suggestion.value).catch(() => null);
      if (resolved) chosen = { ...suggestion, data: { ...resolved.data, ...stripNulls(suggestion.data) } };
    }
    const fieldId = /CFV\[(\d+)\]/.exec(this.control.name)?.[1] ?? '';
    const mount = await this.deps.delivery?.();
    // A detail edited under the field: the field says it too, and the write-back takes it.
    if (mount && this.control.value.trim() === chosen.value.trim()) this.showPanel(mount(this.control.ownerDocument, this.deps.t, chosen, (s) => (this.write(s.value), this.deps.onChosen?.(fieldId, s))));
    // Zone and price travel too, unused: the backend decides them again when it writes.
    this.deps.onChosen?.(fieldId, chosen);
    this.deps.transport('/api/address/remember', { value: chosen.value, source: chosen.source, data: chosen.data }, new AbortController().signal, 'POST').catch(() => {});
  }

  /** Puts the delivery panel (or nothing) under the field, after the list and any notice. */
  private showPanel(panel: DeliveryPanel | null): void {
    this.panel?.destroy();
    this.panel = panel;
    if (panel) (this.notice || (this.combobox.list as Element)).insertAdjacentElement('afterend', panel.el);
  }

  private fail(error: BackendError): void {
    this.combobox.close();
    if (error.blocksSuggestions) {
      this.blocked = true;
      this.engine.cancel();
      this.showNotice(this.deps.t(error.code === 'reconnect_required' ? 'address.reconnect' : 'address.not_connected'));
    } else {
      this.showNotice(this.deps.t('address.unavailable'));
    }
  }

  /** A line under the field, read out by screen readers (role=status): what went wrong, in words. */
  showNotice(text: string): void {
    if (!this.notice) {
      this.notice = this.control.ownerDocument.createElement('div');
      this.notice.className = 'amo-address__notice';
      this.notice.setAttribute('role', 'status');
      (this.combobox.list as Element).insertAdjacentElement('afterend', this.notice);
    }
    this.notice.textContent = text;
  }

  private hideNotice(): void {
    this.notice?.remove();
    this.notice = null;
  }
}

/** Why the list is what it is, in words: "Дома 5 нет в данных…", "По Казань нет улиц…". */
function noteText(t: Translate, note: SuggestNote): string {
  return note.code === 'house_not_found' ? fill(t('address.house_not_found'), { house: note.house }) : fill(t('address.no_streets'), { settlement: note.settlement });
}

function stripNulls<T extends object>(data: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(data ?? {}).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

/** No exception from our code may reach amoCRM's page. */
export function guard(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (typeof console !== 'undefined') console.warn('[amo-address]', error);
  }
}
