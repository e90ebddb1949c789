/**
 * The console's "Зоны доставки": upload a zone file, see the zones on a map (zones-map.ts), edit
 * names, prices, minimum orders, colours and the order, set the warehouses (by address, or by
 * dragging them on the map), the price by distance, and check an address or a point on the map. Errors about a file are said
 * in words with the zones or points at fault; a refused file leaves the zones in use as they were.
 */
import type { DeliveryZoneCheck, DeliveryZonesView, ZoneWarning } from '../../../contract/api.js';
import type { DistancePricing } from '../../../contract/delivery.js';
import { fill, plural, type I18nKey, type Translate } from '../i18n.js';
import { deliveryWords, km } from '../delivery/quote-words.js';
import { ZonesMap } from './zones-map.js';
import type { BackendError } from '../suggest.js';
import type { ConsoleApi, ZoneEdit } from './console-api.js';
import { h } from './dom.js';


export class ZonesSection {
  private view: DeliveryZonesView | null = null;
  private draft: ZoneEdit[] = [];
  private warehouses: string[] = [];
  private message: { text: string; error: boolean; details?: string[] } | null = null;
  private checked: { lon: number; lat: number; text: string } | null = null;
  private pricing: DistancePricing | null = null;
  private map: ZonesMap | null = null;
  private checkText = '';
  private checkQuery = '';
  /** The last file refused only for crossing rings: "Upload anyway" sends it again. */
  private retryable: File | null = null;

  constructor(
    private readonly doc: Document,
    private readonly t: Translate,
    private readonly api: ConsoleApi,
    private readonly locale: string,
    private readonly redraw: () => void,
  ) {}

  async load(): Promise<void> {
    try {
      this.take(await this.api.zones());
    } catch (error) {
      this.say(error);
    }
  }

  private take(view: DeliveryZonesView): void {
    this.view = view;
    this.draft = view.zones.map(({ id, name, price, min_order, free_from, time, color, no_delivery }) => ({ id, name, price, min_order, free_from, time, color, no_delivery }));
    this.warehouses = view.warehouses.map((w) => w.address);
    this.pricing = view.pricing ? { ...view.pricing, bands: view.pricing.bands.map((b) => ({ ...b })) } : null;
  }

  private say(error: unknown, ok?: string): void {
    if (!error) {
      this.message = ok ? { text: ok, error: false } : null;
      return;
    }
    const e = error as BackendError;
    if (e?.code === 'invalid_zone_file') {
      const reason = e.extra?.reason ?? 'not_a_zone_file';
      const known = ['not_a_zone_file', 'no_zones', 'too_many_zones', 'too_many_vertices', 'unclosed_ring', 'self_crossing', 'bad_coordinates', 'swapped_coordinates', 'kmz_too_large', 'too_large', 'bad_price'];
      const text = known.includes(reason) ? this.t(`console.zones.errors.${reason}` as I18nKey) : this.t('console.zones.errors.not_a_zone_file');
      this.message = { text: `${text} ${this.t('console.zones.kept')}`, error: true, details: e.extra?.details };
    } else if (e?.code === 'admin_required') this.message = { text: this.t('console.errors.admin_required'), error: true };
    else if (e?.code === 'address_not_found') this.message = { text: this.t('console.zones.check') + ': ' + this.t('address.nothing_found'), error: true };
    else this.message = { text: fill(this.t('console.errors.generic'), { code: e?.code ?? 'network_error' }), error: true };
  }

  private async run(work: () => Promise<string | null>): Promise<void> {
    try {
      const said = await work();
      this.say(null, said ?? undefined);
    } catch (error) {
      this.say(error);
    }
    this.redraw();
  }

  render(canManage: boolean): HTMLElement {
    const v = this.view;
    const parts: Array<Node | false | null> = [h(this.doc, 'p', { class: 'amo-console__note' }, this.t('console.zones.intro'))];
    if (canManage) parts.push(this.uploadRow());
    if (this.message) {
      parts.push(h(this.doc, 'p', { class: this.message.error ? 'amo-console__error' : 'amo-console__ok', 'data-zones-message': this.message.error ? 'error' : 'ok' }, this.message.text));
      if (this.message.details?.length) parts.push(h(this.doc, 'ul', { class: 'amo-console__list', 'data-zones-details': '' }, ...this.message.details.slice(0, 10).map((d) => h(this.doc, 'li', {}, d))));
    }
    if (v?.warnings?.length) parts.push(h(this.doc, 'p', {}, this.t('console.zones.warnings')), h(this.doc, 'ul', { class: 'amo-console__list', 'data-zones-warnings': '' }, ...v.warnings.map((w) => h(this.doc, 'li', { 'data-warning': w.code }, this.warning(w)))));
    if (v?.unmatchedOptions?.length) parts.push(h(this.doc, 'p', { class: 'amo-console__error', 'data-zones-unmatched': '' }, fill(this.t('console.zones.unmatched'), { names: v.unmatchedOptions.join(', ') })));
    if (!v || !v.zones.length) parts.push(h(this.doc, 'p', { 'data-zones-count': '0' }, this.t('console.zones.none')));
    else {
      parts.push(h(this.doc, 'p', { 'data-zones-count': String(v.zones.length) }, plural(this.t, 'console.zones.source', v.zones.length, { format: v.source?.format.toUpperCase() ?? '—', date: v.source ? new Date(v.source.uploadedAt).toLocaleString(this.locale) : '—' })));
      parts.push(this.table(canManage));
    }
    if (v) parts.push(this.mapFigure(v, canManage));
    parts.push(this.checkRow(), this.warehouseRows(canManage), this.pricingRows(canManage));
    return h(this.doc, 'section', { class: 'amo-console__section', 'aria-labelledby': 'amo-console-zones' }, h(this.doc, 'h2', { id: 'amo-console-zones' }, this.t('console.zones.title')), ...parts);
  }

  private uploadRow(): HTMLElement {
    const input = h(this.doc, 'input', { type: 'file', id: 'amo-console-zone-file', 'data-key': 'zone-file', accept: '.geojson,.json,.kml,.kmz,application/geo+json,application/vnd.google-earth.kml+xml,application/vnd.google-earth.kmz' });
    const send = (file: File | null, anyway: boolean) => {
      if (!file) return;
      void this.run(async () => {
        this.retryable = null;
        try {
          this.take(await this.api.uploadZones(file, file.name, anyway));
        } catch (error) {
          if ((error as BackendError)?.extra?.reason === 'self_crossing') this.retryable = file;
          throw error;
        }
        return plural(this.t, 'console.zones.uploaded', this.view?.zones.length ?? 0);
      });
    };
    return h(
      this.doc,
      'p',
      { class: 'amo-console__row' },
      h(this.doc, 'label', { for: 'amo-console-zone-file' }, this.t('console.zones.file')),
      input,
      h(this.doc, 'button', { type: 'button', class: 'amo-console__button amo-console__button--primary', 'data-key': 'upload-zones', onClick: () => send(input.files?.[0] ?? null, false) }, this.t('console.zones.upload')),
      !!this.retryable && h(this.doc, 'button', { type: 'button', class: 'amo-console__button', 'data-key': 'upload-anyway', onClick: () => send(this.retryable, true) }, this.t('console.zones.upload_anyway')),
    );
  }

  private table(canManage: boolean): HTMLElement {
    const th = (key: I18nKey) => h(this.doc, 'th', { scope: 'col' }, this.t(key));
    const money = (v: number | null) => (v === null ? '' : String(v));
    const rows = this.draft.map((z, i) => {
      const cell = (node: Node) => h(this.doc, 'td', {}, node);
      // A user who is not an admin reads the zones as text: no control that changes them.
      const field = (key: string, value: string, label: string, onInput: (value: string) => void, attrs: Record<string, unknown> = {}): Node =>
        canManage ? h(this.doc, 'input', { value, 'aria-label': `${label}: ${z.name}`, 'data-key': `zone-${z.id}-${key}`, onInput: (e: Event) => onInput((e.target as HTMLInputElement).value), ...attrs }) : this.doc.createTextNode(key === 'color' ? '' : value);
      const num = (v: string) => (v.trim() === '' || !Number.isFinite(Number(v.replace(',', '.'))) ? null : Number(v.replace(',', '.')));
      const move = (by: number) => {
        const j = i + by;
        if (j < 0 || j >= this.draft.length) return;
        [this.draft[i], this.draft[j]] = [this.draft[j], this.draft[i]];
        this.redraw();
      };
      return h(
        this.doc,
        'tr',
        { 'data-zone': z.id },
        h(this.doc, 'td', {}, String(i + 1), canManage && h(this.doc, 'button', { type: 'button', class: 'amo-console__button', 'data-key': `zone-${z.id}-up`, 'aria-label': `${this.t('console.zones.up')}: ${z.name}`, disabled: i === 0, onClick: () => move(-1) }, '↑'), canManage && h(this.doc, 'button', { type: 'button', class: 'amo-console__button', 'data-key': `zone-${z.id}-down`, 'aria-label': `${this.t('console.zones.down')}: ${z.name}`, disabled: i === this.draft.length - 1, onClick: () => move(1) }, '↓')),
        cell(field('name', z.name, this.t('console.zones.col_name'), (v) => (z.name = v), { maxlength: 100 })),
        cell(field('price', money(z.price), this.t('console.zones.col_price'), (v) => (z.price = num(v)), { inputmode: 'decimal', size: 6 })),
        cell(field('min', money(z.min_order), this.t('console.zones.col_min'), (v) => (z.min_order = num(v)), { inputmode: 'decimal', size: 6 })),
        cell(field('free', money(z.free_from), this.t('console.zones.col_free'), (v) => (z.free_from = num(v)), { inputmode: 'decimal', size: 6 })),
        cell(field('time', z.time ?? '', this.t('console.zones.col_time'), (v) => (z.time = v.trim() || null), { maxlength: 60, size: 10 })),
        cell(canManage ? field('color', z.color, this.t('console.zones.col_color'), (v) => (z.color = v), { type: 'color' }) : h(this.doc, 'span', { class: 'amo-console__swatch', style: `background:${z.color}`, title: z.color })),
        cell(canManage ? h(this.doc, 'input', { type: 'checkbox', checked: z.no_delivery, 'data-key': `zone-${z.id}-no-delivery`, 'aria-label': `${this.t('console.zones.col_no_delivery')}: ${z.name}`, onChange: (e: Event) => (z.no_delivery = (e.target as HTMLInputElement).checked) }) : this.doc.createTextNode(z.no_delivery ? '✓' : '')),
      );
    });
    const table = h(
      this.doc,
      'table',
      { class: 'amo-console__table', 'data-zones': '' },
      h(this.doc, 'thead', {}, h(this.doc, 'tr', {}, th('console.zones.col_order'), th('console.zones.col_name'), th('console.zones.col_price'), th('console.zones.col_min'), th('console.zones.col_free'), th('console.zones.col_time'), th('console.zones.col_color'), th('console.zones.col_no_delivery'))),
      h(this.doc, 'tbody', {}, ...rows),
    );
    if (!canManage) return table;
    return h(
      this.doc,
      'div',
      {},
      table,
      h(
        this.doc,
        'p',
        { class: 'amo-console__row' },
        h(this.doc, 'button', { type: 'button', class: 'amo-console__button amo-console__button--primary', 'data-key': 'save-zones', onClick: () => void this.run(async () => (this.take(await this.api.editZones(this.draft)), this.t('console.zones.saved'))) }, this.t('console.zones.save')),
        h(this.doc, 'button', {
          type: 'button',
          class: 'amo-console__button',
          'data-key': 'clear-zones',
          onClick: () => globalThis.confirm(this.t('console.zones.confirm_clear')) && void this.run(async () => (this.take(await this.api.clearZones()), this.t('console.zones.cleared'))),
        }, this.t('console.zones.clear')),
      ),
    );
  }

  /** The map, kept across redraws (one Leaflet map for the page's life). */
  private mapFigure(v: DeliveryZonesView, canManage: boolean): HTMLElement {
    const map = (this.map ??= new ZonesMap(this.doc, this.t, {
      check: (lon, lat) => void this.run(async () => (this.showCheck(await this.api.checkPoint(lon, lat), fill(this.t('console.zones.point'), { lat: lat.toFixed(5), lon: lon.toFixed(5) })), null)),
      moveWarehouse: (i, lon, lat) =>
        void this.run(async () => {
          const list = (this.view?.warehouses ?? []).map((w, n) => (n === i ? { address: w.address, lon, lat } : { address: w.address, lon: w.lon, lat: w.lat }));
          this.take(await this.api.setWarehouses(list));
          return fill(this.t('console.zones.warehouse_moved'), { n: i + 1 });
        }),
    }));
    const figure = h(this.doc, 'figure', { class: 'amo-console__figure' }, map.el, h(this.doc, 'figcaption', { class: 'amo-console__note' }, v.map ? this.t('console.zones.check_click') : `${this.t('console.zones.map_plain')} ${this.t('console.zones.check_click')}`));
    // Leaflet measures its container: draw once it is in the page.
    queueMicrotask(() => {
      map.show(v, this.checked, canManage);
      map.attached();
    });
    return figure;
  }

  /** A file's warning in the admin's language, its counts in their plural forms. */
  private warning(w: ZoneWarning): string {
    if (w.code === 'merged') return plural(this.t, 'console.zones.warn_merged', w.count ?? 0, { zones: w.zones ?? 0 });
    if (w.code === 'self_crossing') return plural(this.t, 'console.zones.warn_self_crossing', w.count ?? 0);
    if (w.code === 'skipped') return plural(this.t, 'console.zones.warn_skipped', w.count ?? 0);
    if (w.code === 'far_from_warehouses') return fill(this.t('console.zones.warn_far_from_warehouses'), { km: w.km ?? 200 });
    if (w.code === 'three_d' || w.code === 'outside_russia') return this.t(`console.zones.warn_${w.code}`);
    return w.text;
  }

  /** A check's answer in words, the same words as the card's chip ("бесплатно", never "0 ₽"). */
  private showCheck(r: DeliveryZoneCheck, fallback: string): void {
    const address = r.address?.value ?? fallback;
    const point = r.address ?? null;
    const { parts } = deliveryWords(this.t, this.locale, { zone: r.delivery_zone, rate: r.delivery_rate, priced: !!this.view?.pricing || !!this.view?.zones.length }, null);
    if (r.delivery_distance_km !== null) parts.push(fill(this.t('delivery.distance'), { km: km(this.locale, r.delivery_distance_km) }));
    if (r.delivery_zone?.approximate) parts.push(this.t('delivery.approximate'));
    const verdict = r.address ? ` (${this.t(`delivery.verdict.${r.address.verdict}` as I18nKey)})` : '';
    this.checkText = `${address}${verdict}: ${parts.join(', ')}.`;
    this.checked = point ? { lon: point.lon, lat: point.lat, text: this.checkText } : this.lastPoint(fallback);
  }

  private lastPoint(text: string): { lon: number; lat: number; text: string } | null {
    const m = /(-?\d+\.\d+), (-?\d+\.\d+)/.exec(text);
    return m ? { lat: Number(m[1]), lon: Number(m[2]), text: this.checkText } : null;
  }

  private warehouseRows(canManage: boolean): HTMLElement {
    const rows = this.warehouses.map((address, i) => {
      const id = `amo-console-warehouse-${i}`;
      const label = fill(this.t('console.zones.warehouse'), { n: i + 1 });
      if (!canManage) return h(this.doc, 'p', {}, `${label}: ${address}`);
      return h(this.doc, 'p', { class: 'amo-console__row' }, h(this.doc, 'label', { for: id }, label), h(this.doc, 'input', { id, value: address, size: 50, 'data-key': `warehouse-${i}`, onInput: (e: Event) => (this.warehouses[i] = (e.target as HTMLInputElement).value) }));
    });
    return h(
      this.doc,
      'div',
      { 'data-warehouses': String(this.view?.warehouses.length ?? 0) },
      h(this.doc, 'h3', {}, this.t('console.zones.warehouses')),
      h(this.doc, 'p', { class: 'amo-console__note' }, this.t('console.zones.warehouses_intro')),
      ...rows,
      canManage &&
        h(
          this.doc,
          'p',
          { class: 'amo-console__row' },
          h(this.doc, 'button', { type: 'button', class: 'amo-console__button', 'data-key': 'add-warehouse', onClick: () => (this.warehouses.push(''), this.redraw()) }, this.t('console.zones.add_warehouse')),
          h(this.doc, 'button', {
            type: 'button',
            class: 'amo-console__button amo-console__button--primary',
            'data-key': 'save-warehouses',
            onClick: () => void this.run(async () => {
              const list = this.warehouses.map((a) => a.trim()).filter(Boolean).map((address) => ({ address }));
              this.take(await this.api.setWarehouses(list));
              return plural(this.t, 'console.zones.warehouses_saved', list.length);
            }),
          }, this.t('console.zones.save_warehouses')),
        ),
    );
  }

  /** The price by distance: bands "up to N km: price", a price per km beyond, the order terms. */
  private pricingRows(canManage: boolean): HTMLElement {
    const title = h(this.doc, 'h3', {}, this.t('console.zones.pricing.title'));
    const intro = h(this.doc, 'p', { class: 'amo-console__note' }, this.t('console.zones.pricing.intro'));
    const p = this.pricing;
    const m = (n: number | null) => (n === null ? '—' : new Intl.NumberFormat(this.locale).format(n));
    if (!canManage) {
      const text = p ? [...p.bands.map((b) => `≤ ${b.up_to_km} km: ${m(b.price)}`), p.per_km_beyond !== null ? `+${m(p.per_km_beyond)}/km` : null].filter(Boolean).join('; ') : this.t('console.zones.pricing.none');
      return h(this.doc, 'div', { 'data-pricing': p ? 'set' : 'none' }, title, intro, h(this.doc, 'p', {}, text));
    }
    const num = (v: string) => (v.trim() === '' || !Number.isFinite(Number(v.replace(',', '.'))) ? null : Number(v.replace(',', '.')));
    const draft = this.pricing;
    const input = (key: string, label: string, value: number | null, set: (v: number | null) => void) => {
      const id = `amo-console-pricing-${key}`;
      return h(this.doc, 'span', {}, h(this.doc, 'label', { for: id }, label), h(this.doc, 'input', { id, 'data-key': `pricing-${key}`, inputmode: 'decimal', size: 7, value: value === null ? '' : String(value), onInput: (e: Event) => set(num((e.target as HTMLInputElement).value)) }));
    };
    const rows: Array<Node | false> = [];
    if (!draft) rows.push(h(this.doc, 'p', { 'data-pricing': 'none' }, this.t('console.zones.pricing.none')));
    else {
      const mode = h(
        this.doc,
        'select',
        { id: 'amo-console-pricing-mode', 'data-key': 'pricing-mode', onChange: (e: Event) => (draft.mode = (e.target as HTMLSelectElement).value as DistancePricing['mode']) },
        h(this.doc, 'option', { value: 'beyond_zones', selected: draft.mode === 'beyond_zones' }, this.t('console.zones.pricing.mode_beyond')),
        h(this.doc, 'option', { value: 'instead_of_zones', selected: draft.mode === 'instead_of_zones' }, this.t('console.zones.pricing.mode_instead')),
      );
      rows.push(h(this.doc, 'p', { 'data-pricing': 'set' }, h(this.doc, 'label', { for: 'amo-console-pricing-mode' }, this.t('console.zones.pricing.mode')), mode));
      draft.bands.forEach((band, i) => {
        const n = fill(this.t('console.zones.pricing.band'), { n: i + 1 });
        rows.push(
          h(
            this.doc,
            'p',
            { class: 'amo-console__row', 'data-band': String(i) },
            input(`band-${i}-km`, `${n}: ${this.t('console.zones.pricing.up_to')}`, band.up_to_km, (v) => (band.up_to_km = v ?? 0)),
            input(`band-${i}-price`, this.t('console.zones.pricing.price'), band.price, (v) => (band.price = v ?? 0)),
            h(this.doc, 'button', { type: 'button', class: 'amo-console__button', 'data-key': `pricing-band-${i}-remove`, 'aria-label': `${this.t('console.zones.pricing.remove_band')}: ${n}`, onClick: () => (draft.bands.splice(i, 1), this.redraw()) }, this.t('console.zones.pricing.remove_band')),
          ),
        );
      });
      rows.push(
        h(
          this.doc,
          'p',
          { class: 'amo-console__row' },
          input('per-km', this.t('console.zones.pricing.per_km'), draft.per_km_beyond, (v) => (draft.per_km_beyond = v)),
          input('min-order', this.t('console.zones.pricing.min_order'), draft.min_order, (v) => (draft.min_order = v)),
          input('free-from', this.t('console.zones.pricing.free_from'), draft.free_from, (v) => (draft.free_from = v)),
        ),
      );
    }
    const addBand = () => {
      this.pricing ??= { mode: 'beyond_zones', bands: [], per_km_beyond: null, min_order: null, free_from: null };
      const last = this.pricing.bands[this.pricing.bands.length - 1];
      this.pricing.bands.push({ up_to_km: (last?.up_to_km ?? 0) + 5, price: last?.price ?? 0 });
      this.redraw();
    };
    const buttons = h(
      this.doc,
      'p',
      { class: 'amo-console__row' },
      h(this.doc, 'button', { type: 'button', class: 'amo-console__button', 'data-key': 'pricing-add-band', onClick: addBand }, this.t('console.zones.pricing.add_band')),
      !!draft && h(this.doc, 'button', { type: 'button', class: 'amo-console__button amo-console__button--primary', 'data-key': 'pricing-save', onClick: () => void this.run(async () => (this.take(await this.api.setPricing(this.pricing)), this.t('console.zones.pricing.saved'))) }, this.t('console.zones.pricing.save')),
      !!this.view?.pricing && h(this.doc, 'button', { type: 'button', class: 'amo-console__button', 'data-key': 'pricing-remove', onClick: () => void this.run(async () => (this.take(await this.api.setPricing(null)), this.t('console.zones.pricing.removed'))) }, this.t('console.zones.pricing.remove')),
    );
    return h(this.doc, 'div', { 'data-pricing-section': '' }, title, intro, ...rows, buttons);
  }

  private checkRow(): HTMLElement {
    const input = h(this.doc, 'input', { id: 'amo-console-zone-check', 'data-key': 'zone-check', size: 40, autocomplete: 'off', value: this.checkQuery, onInput: (e: Event) => (this.checkQuery = (e.target as HTMLInputElement).value) });
    const check = () =>
      void this.run(async () => {
        this.showCheck(await this.api.checkZone(input.value), input.value);
        return null;
      });
    input.addEventListener('keydown', (e) => e.key === 'Enter' && check());
    return h(
      this.doc,
      'div',
      {},
      h(this.doc, 'p', { class: 'amo-console__row' }, h(this.doc, 'label', { for: 'amo-console-zone-check' }, this.t('console.zones.check')), input, h(this.doc, 'button', { type: 'button', class: 'amo-console__button', 'data-key': 'check-zone', onClick: check }, this.t('console.zones.check_button'))),
      h(this.doc, 'p', { role: 'status', 'aria-live': 'polite', 'data-zone-check': '' }, this.checkText),
    );
  }
}
