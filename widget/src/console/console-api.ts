/** The console's calls to the backend (/api/console/*, contract/api.ts), through the widget's transport. */
import type { ConsoleChoices, ConsoleState, ConsoleWrites, DeliveryZoneCheck, DeliveryZonesView } from '../../../contract/api.js';
import type { Transport } from '../suggest.js';
import type { DistancePricing } from '../../../contract/delivery.js';
import type { CleanClass, CleanEntity, CleanFilter, CleanJob, CleanRowsPage } from '../../../contract/cleaning.js';

/** The content type a zone file is sent with, from its name (the backend also reads its first bytes). */
export function zoneFileType(name: string): string {
  if (/\.kmz$/iu.test(name)) return 'application/vnd.google-earth.kmz';
  if (/\.kml$/iu.test(name)) return 'application/vnd.google-earth.kml+xml';
  return 'application/geo+json';
}

export type ZoneEdit = Pick<DeliveryZonesView['zones'][number], 'id' | 'name' | 'price' | 'min_order' | 'free_from' | 'time' | 'color' | 'no_delivery'>;

export type ConsoleSettings = ConsoleChoices['settings'];

export class ConsoleApi {
  constructor(private readonly transport: Transport) {}

  private call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body: Record<string, unknown> = {}): Promise<T> {
    return this.transport(`/api/console${path}`, body, new AbortController().signal, method) as Promise<T>;
  }

  state = () => this.call<ConsoleState>('GET', '/state');
  choices = () => this.call<ConsoleChoices>('GET', '/fields');
  saveSettings = (settings: ConsoleSettings) => this.call<{ settings: ConsoleSettings }>('PUT', '/settings', settings);
  createSiteKey = (name: string, origins: string) => this.call<{ id: number; name: string; key: string }>('POST', '/site-keys', origins.trim() ? { name, origins } : { name });
  revokeSiteKey = (id: number) => this.call<null>('DELETE', `/site-keys/${id}`);
  parked = () => this.call<ConsoleWrites>('GET', '/writes');
  retry = (id?: number) => this.call<{ retried: number }>('POST', id === undefined ? '/writes/retry' : `/writes/${id}/retry`);
  setWebhook = (subscribed: boolean) => this.call<{ queued: true }>('POST', '/webhook', { subscribed });
  importAddressBook = () => this.call<{ queued: true }>('POST', '/address-book/import');
  clearAddressBook = () => this.call<{ removed: number }>('DELETE', '/address-book');
  updateAddressData = () => this.call<{ started: true }>('POST', '/address-data/update');
  zones = () => this.call<DeliveryZonesView>('GET', '/delivery-zones');
  uploadZones = (file: Blob, name: string, allowSelfCrossing: boolean) =>
    this.transport(`/api/console/delivery-zones${allowSelfCrossing ? '?allow_self_crossing=true' : ''}`, {}, new AbortController().signal, 'PUT', { body: file, contentType: zoneFileType(name) }) as Promise<DeliveryZonesView>;
  editZones = (zones: ZoneEdit[]) => this.call<DeliveryZonesView>('PATCH', '/delivery-zones', { zones });
  clearZones = () => this.call<DeliveryZonesView>('DELETE', '/delivery-zones');
  setWarehouses = (warehouses: Array<{ address: string; lon?: number; lat?: number }>) => this.call<DeliveryZonesView>('PUT', '/delivery-zones/warehouses', { warehouses });
  setPricing = (pricing: DistancePricing | null) => this.call<DeliveryZonesView>('PUT', '/delivery-zones/pricing', { pricing });
  checkZone = (q: string) => this.call<DeliveryZoneCheck>('GET', '/delivery-zones/check', { q });
  cleanJob = () => this.call<{ job: CleanJob | null }>('GET', '/clean');
  startClean = (entity: CleanEntity, filter: CleanFilter) => this.call<{ job: CleanJob }>('POST', '/clean', { entity, ...filter });
  cleanRows = (id: number, cls: CleanClass | null, offset: number, limit: number) => this.call<CleanRowsPage>('GET', `/clean/${id}/rows`, { ...(cls ? { class: cls } : {}), offset: String(offset), limit: String(limit) });
  applyClean = (id: number, ids: number[] | null) => this.call<{ job: CleanJob }>('POST', `/clean/${id}/apply`, ids ? { ids } : {});
  undoClean = (id: number) => this.call<{ job: CleanJob }>('POST', `/clean/${id}/undo`);
  cancelClean = (id: number) => this.call<{ job: CleanJob }>('POST', `/clean/${id}/cancel`);
  /** A link the browser downloads the file from (signed for a minute: a download carries no token). */
  cleanDownload = (id: number, kind: 'report' | 'undo', lang: 'ru' | 'en') => this.call<{ url: string }>('POST', `/clean/${id}/download`, { kind, lang });
  checkPoint = (lon: number, lat: number) => this.call<DeliveryZoneCheck>('GET', '/delivery-zones/check', { lon: lon.toFixed(6), lat: lat.toFixed(6) });
}
