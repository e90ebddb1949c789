/**
 * The zones on a real map (Leaflet, in console.js only: the card's script.js never loads it):
 * each zone in its colour with its name on it, the warehouses as markers an admin drags, the
 * checked address; fitted to the zones (a far warehouse does not squeeze them into a corner).
 * Base tiles come from the server's MAP_TILES_URL with its attribution; without one the zones
 * are drawn on a plain background. A click checks that point.
 */
import * as L from 'leaflet';
import leafletCss from 'leaflet/dist/leaflet.css';
import type { DeliveryZonesView } from '../../../contract/api.js';
import type { Translate } from '../i18n.js';

const CSS_ID = 'amo-address-leaflet-style';
const OWN_CSS = `.amo-console__leaflet{width:100%;max-width:760px;height:420px;border:1px solid #d4d5d8;border-radius:3px;background:#eef2f5}
.amo-console__zone-label{background:rgba(255,255,255,.92);border:1px solid #8a96a3;border-radius:3px;box-shadow:none;color:#1f2a37;font:12px/1.3 "PT Sans",Arial,sans-serif;padding:1px 5px;white-space:nowrap}
.amo-console__zone-label::before{display:none}
.amo-console__pin{width:18px;height:18px;border-radius:50%;box-sizing:border-box;border:3px solid #fff;box-shadow:0 0 0 1px #1f2a37}
.amo-console__pin--warehouse{background:#1f2a37;border-radius:3px}
.amo-console__pin--checked{background:#c62828}`;

function injectCss(doc: Document): void {
  if (doc.getElementById(CSS_ID)) return;
  const style = doc.createElement('style');
  style.id = CSS_ID;
  style.textContent = `${leafletCss}\n${OWN_CSS}`;
  doc.head.appendChild(style);
}

export interface ZonesMapHandlers {
  /** A click on the map: check this point. */
  check(lon: number, lat: number): void;
  /** A warehouse dragged to a new place (admins only). */
  moveWarehouse(index: number, lon: number, lat: number): void;
}

const pin = (kind: 'warehouse' | 'checked', label: string) => L.divIcon({ className: '', html: `<div class="amo-console__pin amo-console__pin--${kind}" role="img" aria-label="${label.replace(/[<>&"]/g, '')}"></div>`, iconSize: [18, 18], iconAnchor: [9, 9] });

export class ZonesMap {
  /** One container and one map for the page's life: the console redraws around it. */
  readonly el: HTMLDivElement;
  private map: L.Map | null = null;
  private layers: L.LayerGroup | null = null;
  private tiles: string | null = null;
  private fittedVersion = -1;

  constructor(
    private readonly doc: Document,
    private readonly t: Translate,
    private readonly handlers: ZonesMapHandlers,
  ) {
    injectCss(doc);
    this.el = doc.createElement('div');
    this.el.className = 'amo-console__leaflet';
    this.el.dataset.map = 'zones';
  }

  /** Draws the view (and the checked point); fits the map to the zones when they changed. */
  show(view: DeliveryZonesView, checked: { lon: number; lat: number; text: string } | null, canManage: boolean): void {
    const map = (this.map ??= L.map(this.el, { zoomControl: true, attributionControl: true, zoomSnap: 0.5 }).on('click', (e: L.LeafletMouseEvent) => this.handlers.check(e.latlng.lng, e.latlng.lat)));
    this.el.setAttribute('aria-label', `${this.t('console.zones.preview')}: ${view.zones.map((z) => z.name).join(', ')}`);
    if (view.map && this.tiles !== view.map.tilesUrl) {
      L.tileLayer(view.map.tilesUrl, { attribution: escapeText(view.map.attribution ?? ''), maxZoom: 19 }).addTo(map);
      this.tiles = view.map.tilesUrl;
    }
    this.layers?.remove();
    const layers = (this.layers = L.layerGroup().addTo(map));
    const zoneBounds = L.latLngBounds([]);
    // Drawn last-first, so the zone that wins (first in order) is on top.
    for (const zone of [...view.zones].reverse()) {
      const rings = zone.outline.map((polygon) => polygon.map((ring) => ring.map(([lon, lat]) => L.latLng(lat, lon))));
      const shape = L.polygon(rings, { color: zone.color, weight: 2, fillColor: zone.color, fillOpacity: zone.no_delivery ? 0.08 : 0.25, dashArray: zone.no_delivery ? '5 4' : undefined, className: `amo-console__zone amo-console__zone-${zone.id}` });
      shape.bindTooltip(zone.name, { permanent: true, direction: 'center', className: 'amo-console__zone-label', opacity: 1 });
      shape.addTo(layers);
      zoneBounds.extend(shape.getBounds());
    }
    const warehouseBounds = L.latLngBounds([]);
    view.warehouses.forEach((w, i) => {
      const marker = L.marker([w.lat, w.lon], { icon: pin('warehouse', w.address), draggable: canManage, title: w.address, keyboard: true, alt: w.address }).addTo(layers);
      marker.on('dragend', () => {
        const at = marker.getLatLng();
        this.handlers.moveWarehouse(i, at.lng, at.lat);
      });
      warehouseBounds.extend([w.lat, w.lon]);
    });
    if (checked) L.marker([checked.lat, checked.lon], { icon: pin('checked', checked.text), title: checked.text, keyboard: false }).addTo(layers);
    if (this.fittedVersion !== view.version) {
      this.fittedVersion = view.version;
      const bounds = zoneBounds.isValid() ? zoneBounds : warehouseBounds;
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 });
      else map.setView([55.75, 37.62], 9);
    }
  }

  /** After the console put the container back into the page: Leaflet measures it again. */
  attached(): void {
    this.map?.invalidateSize();
  }

  destroy(): void {
    this.map?.remove();
    this.map = null;
  }
}

/** Leaflet shows attribution as HTML: the configured text is shown as text. */
const escapeText = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
