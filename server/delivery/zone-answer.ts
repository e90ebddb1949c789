/** What an answer carries about delivery: the `data` fields of contract/api.ts, built from a stored zone. */
import type { StoredZone } from '../store/delivery-zones-repository.js';
import type { DeliveryZone } from '../../contract/api.js';
import type { DeliveryRate } from '../../contract/delivery.js';

/** The zone as answers carry it (one type with the widget: contract/api.ts). */
export type DeliveryZoneAnswer = DeliveryZone;

export interface ZoneLookup {
  delivery_zone: DeliveryZoneAnswer | null;
  delivery_distance_km: number | null;
  /** null: not delivered here. */
  delivery_rate: DeliveryRate | null;
}

export function answerOf(zone: Omit<StoredZone, 'polygons'>): DeliveryZoneAnswer {
  return { id: zone.id, name: zone.name, price: zone.price, min_order: zone.min_order ?? null, free_from: zone.free_from, time: zone.time, color: zone.color, no_delivery: zone.no_delivery };
}
