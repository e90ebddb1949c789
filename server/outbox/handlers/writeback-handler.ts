/**
 * Writes a chosen address (and the parts the account mapped: postal code, city, coordinates)
 * into a lead, contact or company. A PATCH of the same values is safe to repeat.
 */
import type { EntityType } from '../../amo/api-client.js';
import type { AmoCrm } from '../../amo/crm.js';
import type { AddressData } from '../../geocoding/types.js';
import type { WritebacksRepository } from '../../store/writebacks-repository.js';
import { addressFieldValues, type FieldMapping } from '../field-mapping.js';
import type { OutboxItem } from '../outbox-repository.js';

export interface WritebackPayload {
  entity: EntityType;
  entityId: number;
  fieldId: number;
  value: string;
  data: Partial<AddressData> | null;
}

export interface AddressWriter {
  write(accountId: number, payload: WritebackPayload): Promise<void>;
}

/** Shared by the write-back and the webhook normaliser: one way to write an address. */
export function addressWriter(deps: { crm: AmoCrm; mapping: FieldMapping; writebacks: WritebacksRepository; now: () => number }): AddressWriter {
  return {
    async write(accountId, p) {
      const mapping = await deps.mapping.forEntity(accountId, p.entity);
      await deps.crm.updateFields(accountId, p.entity, p.entityId, addressFieldValues(mapping, p.fieldId, p.value, p.data));
      deps.writebacks.record({ accountId, entity: p.entity, entityId: p.entityId, fieldId: p.fieldId }, p.value, deps.now());
    },
  };
}

export function writebackHandler(writer: AddressWriter) {
  return (item: OutboxItem<WritebackPayload>) => writer.write(item.accountId, item.payload);
}
