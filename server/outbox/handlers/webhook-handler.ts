/**
 * A stored amoCRM webhook event (reference §7, old v2 custom-field layout): every lead, contact
 * or company added or updated with an address that did not come through the widget is
 * normalised and written back. The update event caused by our own write carries the value we
 * wrote, which is recognised and left alone, so there is no second round.
 */
import type { EntityType } from '../../amo/api-client.js';
import type { AddressService } from '../../geocoding/address-service.js';
import { normalizeAddress } from '../../geocoding/normalize-address.js';
import type { WritebacksRepository } from '../../store/writebacks-repository.js';
import type { FieldMapping } from '../field-mapping.js';
import type { OutboxItem } from '../outbox-repository.js';
import type { AddressWriter } from './writeback-handler.js';

type Indexed<T> = T[] | Record<string, T>;
interface V2Entity {
  id?: string;
  custom_fields?: Indexed<{ id?: string; values?: Indexed<{ value?: string }> }>;
}
export type WebhookPayload = Partial<Record<EntityType, Partial<Record<'add' | 'update' | 'status', Indexed<V2Entity>>>>>;

const ENTITIES: EntityType[] = ['leads', 'contacts', 'companies'];
/** qs turns long arrays into objects (reference §7): read both the same way. */
const list = <T>(value: Indexed<T> | undefined): T[] => (Array.isArray(value) ? value : value ? Object.values(value) : []);

export interface WebhookDeps {
  addresses: AddressService;
  mapping: FieldMapping;
  writebacks: WritebacksRepository;
  writer: AddressWriter;
}

export function webhookHandler(deps: WebhookDeps) {
  return async (item: OutboxItem<WebhookPayload>): Promise<void> => {
    const { accountId } = item;
    for (const entity of ENTITIES) {
      const events = item.payload[entity];
      if (!events) continue;
      const changed = [...list(events.add), ...list(events.update), ...list(events.status)];
      if (!changed.length) continue;
      const addressField = (await deps.mapping.forEntity(accountId, entity)).address;
      if (!addressField) continue;
      for (const record of changed) {
        const entityId = Number(record.id);
        const field = list(record.custom_fields).find((f) => Number(f.id) === addressField);
        const value = list(field?.values)[0]?.value?.trim();
        if (!Number.isSafeInteger(entityId) || !value) continue;
        if (deps.writebacks.last({ accountId, entity, entityId, fieldId: addressField })?.value === value) continue; // our own write
        const normalized = await normalizeAddress(deps.addresses, accountId, value);
        if (!normalized || normalized.value === value) continue;
        await deps.writer.write(accountId, { entity, entityId, fieldId: addressField, value: normalized.value, data: normalized.data });
      }
    }
  };
}
