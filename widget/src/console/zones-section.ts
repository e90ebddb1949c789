/**
 * The console's "Зоны доставки": upload a zone file, see the zones drawn (an SVG of their outlines
 * in their colours and the warehouses, no map tiles: it works offline), edit names, prices,
 * colours and the order, set the warehouses, and check an address. Errors about a file are said
 * in words with the zones or points at fault; a refused file leaves the zones in use as they were.
 */
import type { DeliveryZonesView } from '../../../contract/api.js';
import { fill, type I18nKey, type Translate } from '../i18n.js';
import type { BackendError } from '../suggest.js';
import type { ConsoleApi, ZoneEdit } from './console-api.js';
import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 600;
const HEIGHT = 360;

export class ZonesSection {
  private view: DeliveryZonesView | null = null;
  private draft: ZoneEdit[] = [];
  private warehouses: string[] = [];
  private message: { text: string; error: boolean; details?: string[] } | null = null;
  private checked: { lon: number; lat: number } | null = null;
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
    this.draft = view.zones.map(({ id, name, price, free_from, time, color, no_delivery }) => ({ id, name, price, free_from, time, color, no_delivery }));
    this.warehouses = view.warehouses.map((w) => w.address);
  }

  private say(error: unknown, ok?: string): void {
    if (!error) {
      this.message = ok ? { text: ok, error: false } : null;
      return;
    }
    const e = error as BackendError;
    if (e?.code === 'invalid_zone_file') {
      const reason = e.extra?.reason ?? 'not_a_zone_file';
      const known = ['not_a_zone_file', 'no_zones', 'too_many_zones', 'too_many_vertices', 'unclosed_ring', 'self_crossing', 'bad_coordinates', 'swapped_coordinates', 'kmz_too_large', 'too_large'];
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
    if (v?.warnings?.length) parts.push(h(this.doc, 'p', {}, this.t('console.zones.warnings')), h(this.doc, 'ul', { class: 'amo-console__list', 'data-zones-warnings': '' }, ...v.warnings.map((w) => h(this.doc, 'li', {}, w))));
    if (v?.unmatchedOptions?.length) parts.push(h(this.doc, 'p', { class: 'amo-console__error', 'data-zones-unmatched': '' }, fill(this.t('console.zones.unmatched'), { names: v.unmatchedOptions.join(', ') })));
    if (!v || !v.zones.length) parts.push(h(this.doc, 'p', { 'data-zones-count': '0' }, this.t('console.zones.none')));
    else {
      parts.push(h(this.doc, 'p', { 'data-zones-count': String(v.zones.length) }, fill(this.t('console.zones.source'), { count: v.zones.length, format: v.source?.format.toUpperCase() ?? '—', date: v.source ? new Date(v.source.uploadedAt).toLocaleString(this.locale) : '—' })));
      parts.push(this.table(canManage));
    }
    if (v && (v.zones.length || v.warehouses.length)) parts.push(this.preview(v));
    parts.push(this.warehouseRows(canManage), this.checkRow());
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
        return fill(this.t('console.zones.uploaded'), { count: this.view?.zones.length ?? 0 });
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
      h(this.doc, 'thead', {}, h(this.doc, 'tr', {}, th('console.zones.col_order'), th('console.zones.col_name'), th('console.zones.col_price'), th('console.zones.col_free'), th('console.zones.col_time'), th('console.zones.col_color'), th('console.zones.col_no_delivery'))),
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

  /** The outlines projected to the box (longitude scaled by cos(latitude), so shapes keep their proportions). */
  private preview(v: DeliveryZonesView): HTMLElement {
    const points: Array<[number, number]> = [...v.zones.flatMap((z) => z.outline.flat(2)), ...v.warehouses.map((w) => [w.lon, w.lat] as [number, number])];
    if (this.checked) points.push([this.checked.lon, this.checked.lat]);
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180) || 1;
    const scale = Math.min((WIDTH - 20) / (((maxX - minX) * k) || 1e-6), (HEIGHT - 20) / ((maxY - minY) || 1e-6));
    const px = (lon: number, lat: number) => `${(10 + (lon - minX) * k * scale).toFixed(1)},${(HEIGHT - 10 - (lat - minY) * scale).toFixed(1)}`;
    const svg = this.doc.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    svg.setAttribute('class', 'amo-console__map');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `${this.t('console.zones.preview')}: ${v.zones.map((z) => z.name).join(', ')}`);
    // Drawn last-first, so the zone that wins (first in order) is on top.
    for (const zone of [...v.zones].reverse()) {
      const path = this.doc.createElementNS(SVG, 'path');
      path.setAttribute('d', zone.outline.map((polygon) => polygon.map((ring) => `M${ring.map(([x, y]) => px(x, y)).join('L')}Z`).join('')).join(''));
      path.setAttribute('fill', zone.color);
      path.setAttribute('fill-opacity', zone.no_delivery ? '0.08' : '0.25');
      path.setAttribute('fill-rule', 'evenodd');
      path.setAttribute('stroke', zone.color);
      path.setAttribute('stroke-width', '1.5');
      if (zone.no_delivery) path.setAttribute('stroke-dasharray', '4 3');
      path.dataset.zone = String(zone.id);
      const title = this.doc.createElementNS(SVG, 'title');
      title.textContent = zone.name;
      path.append(title);
      svg.append(path);
    }
    const dot = (lon: number, lat: number, kind: string, label: string) => {
      const [x, y] = px(lon, lat).split(',');
      const c = this.doc.createElementNS(SVG, 'circle');
      c.setAttribute('cx', x);
      c.setAttribute('cy', y);
      c.setAttribute('r', kind === 'warehouse' ? '6' : '5');
      c.setAttribute('fill', kind === 'warehouse' ? '#1f2a37' : '#fff');
      c.setAttribute('stroke', kind === 'warehouse' ? '#fff' : '#c62828');
      c.setAttribute('stroke-width', '2');
      c.dataset.point = kind;
      const title = this.doc.createElementNS(SVG, 'title');
      title.textContent = label;
      c.append(title);
      svg.append(c);
    };
    for (const w of v.warehouses) dot(w.lon, w.lat, 'warehouse', w.address);
    if (this.checked) dot(this.checked.lon, this.checked.lat, 'checked', this.checkText);
    return h(this.doc, 'figure', { class: 'amo-console__figure' }, svg as unknown as Node, h(this.doc, 'figcaption', { class: 'amo-console__note' }, this.t('console.zones.preview')));
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
              return fill(this.t('console.zones.warehouses_saved'), { count: list.length });
            }),
          }, this.t('console.zones.save_warehouses')),
        ),
    );
  }

  private checkRow(): HTMLElement {
    const input = h(this.doc, 'input', { id: 'amo-console-zone-check', 'data-key': 'zone-check', size: 40, autocomplete: 'off', value: this.checkQuery, onInput: (e: Event) => (this.checkQuery = (e.target as HTMLInputElement).value) });
    const check = () =>
      void this.run(async () => {
        const r = await this.api.checkZone(input.value);
        this.checked = r.address ? { lon: r.address.lon, lat: r.address.lat } : null;
        const nf = (n: number) => n.toLocaleString(this.locale);
        const distance = r.delivery_distance_km === null ? '' : fill(this.t('console.zones.check_distance'), { km: nf(r.delivery_distance_km) });
        const z = r.delivery_zone;
        const address = r.address?.value ?? input.value;
        this.checkText = !z
          ? fill(this.t('console.zones.check_outside'), { address, distance })
          : fill(this.t(z.no_delivery ? 'console.zones.check_no_delivery' : 'console.zones.check_in'), { address, name: z.name, price: z.price === null ? '' : fill(this.t('console.zones.check_price'), { price: nf(z.price) }), distance });
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
