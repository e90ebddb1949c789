/**
 * Writes a chosen address (and the parts the account mapped: postal code, city, coordinates)
 * into a lead, contact or company. A PATCH of the same values is safe to repeat.
 */
import type { AmoCrm } from '../../amo/crm.js';
import type { WritebacksRepository } from '../../store/writebacks-repository.js';
import { addressFieldValues, fitsTarget, type FieldMapping } from '../field-mapping.js';
import { AppError } from '../../errors.js';
import { readAddress } from '../../amo/address-fields.js';
import type { JobHandler, WritebackPayload } from '../jobs.js';
import type { DeliveryZones } from '../../delivery/delivery-zones.js';
import { OUTSIDE_TAG } from '../../delivery/zone-fields.js';

export interface AddressWriter {
  write(accountId: number, payload: WritebackPayload): Promise<void>;
}

/** Shared by the write-back and the webhook normaliser: one way to write an address. */
export function addressWriter(deps: { crm: AmoCrm; mapping: FieldMapping; writebacks: WritebacksRepository; zones: DeliveryZones; now: () => number }): AddressWriter {
  return {
    async write(accountId, p) {
      // Checked again when sent: the admin may have changed the mapping or the field since.
      const target = await deps.mapping.authorize(accountId, p.entity, p.fieldId);
      if (!fitsTarget(target, p.value)) throw new AppError('value_too_long', `The address is longer than field ${p.fieldId} accepts (256 characters for a text field).`);
      const values = addressFieldValues(target, p.value, p.data);
      // A lead's delivery zone, placed here from the address's point (never taken from the caller).
      const delivery = p.entity === 'leads' ? await deps.zones.forLead(accountId, target.zone, p.data) : { fields: [], tag: null };
      await deps.crm.updateFields(accountId, p.entity, p.entityId, [...values, ...delivery.fields], delivery.tag === 'add' ? { add: [OUTSIDE_TAG] } : delivery.tag === 'remove' ? { remove: [OUTSIDE_TAG] } : {});
      // Recorded as it will read back (a smart_address reads as its parts joined), so the webhook
      // our own write causes is recognised.
      await deps.writebacks.record({ accountId, entity: p.entity, entityId: p.entityId, fieldId: p.fieldId }, readAddress(target.address, values) ?? p.value, deps.now());
    },
  };
}

export function writebackHandler(writer: AddressWriter): JobHandler<'writeback'> {
  return (item) => writer.write(item.accountId, item.payload);
}
