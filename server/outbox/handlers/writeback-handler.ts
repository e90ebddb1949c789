/**
 * Writes a chosen address (and the parts the account mapped: postal code, city, coordinates)
 * into a lead, contact or company. A PATCH of the same values is safe to repeat.
 */
import type { AmoCrm, FieldValue } from '../../amo/crm.js';
import type { WritebacksRepository } from '../../store/writebacks-repository.js';
import { addressFieldValues, fitsTarget, type FieldMapping } from '../field-mapping.js';
import { verdictValues, withDetails } from '../detail-fields.js';
import { verdictOf } from '../../geocoding/verdict.js';
import { budgetOf, type Verdict } from '../../../contract/delivery.js';
import { AppError } from '../../errors.js';
import { readAddress } from '../../amo/address-fields.js';
import type { JobHandler, WritebackPayload } from '../jobs.js';
import type { DeliveryZones } from '../../delivery/delivery-zones.js';
import { OUTSIDE_TAG } from '../../delivery/zone-fields.js';

/** One entity's write: its fields and tags as one PATCH takes them, and the address as it will read back. */
export interface PlannedWrite {
  fields: FieldValue[];
  tags: { add?: string[]; remove?: string[] };
  /** The address as amoCRM will hold it (a smart_address reads as its parts joined). */
  readBack: string;
}

export interface AddressWriter {
  write(accountId: number, payload: WritebackPayload): Promise<void>;
  /**
   * The fields and tags a write of this address makes, without sending them (a batch sends many
   * at once). `budget`: the lead's, when the caller has read it; otherwise it is read when needed.
   */
  plan(accountId: number, payload: WritebackPayload, budget?: number | null): Promise<PlannedWrite>;
  /**
   * An address left as it was typed (not found, only its street, several places fit): only the
   * verdict's field and tag are written, and the text recorded, so the webhook our write causes is ours.
   */
  flag(accountId: number, payload: Omit<WritebackPayload, 'data'> & { verdict: Verdict }): Promise<void>;
}

/** Shared by the write-back, the webhook normaliser and the base cleaner: one way to write an address. */
export function addressWriter(deps: { crm: AmoCrm; mapping: FieldMapping; writebacks: WritebacksRepository; zones: DeliveryZones; now: () => number }): AddressWriter {
  const plan: AddressWriter['plan'] = async (accountId, p, knownBudget) => {
    // Checked again when sent: the admin may have changed the mapping or the field since.
    const target = await deps.mapping.authorize(accountId, p.entity, p.fieldId);
    const { line, fields: detailFields } = withDetails(target, p.value, p.data);
    if (!fitsTarget(target, line)) throw new AppError('value_too_long', `The address is longer than field ${p.fieldId} accepts (256 characters for a text field).`);
    const values = addressFieldValues(target, line, p.data);
    // The verdict from the address's own parts (an ambiguous or unfound text is said so by the caller that matched it).
    const verdict = verdictValues(target, p.verdict ?? verdictOf(p.data ?? {}));
    // A lead's delivery zone and price, placed here from the address's point and the lead's own
    // budget as amoCRM holds it (never taken from the caller).
    let delivery: { fields: FieldValue[]; tag: 'add' | 'remove' | null } = { fields: [], tag: null };
    if (p.entity === 'leads') {
      const budget = !target.zone.zonePrice ? null : knownBudget !== undefined ? knownBudget : budgetOf((await deps.crm.entities(accountId, 'leads', [p.entityId]))[0]?.price);
      delivery = await deps.zones.forLead(accountId, target.zone, p.data, budget);
    }
    const add = [...(delivery.tag === 'add' ? [OUTSIDE_TAG] : []), ...(verdict.tags.add ?? [])];
    const remove = [...(delivery.tag === 'remove' ? [OUTSIDE_TAG] : []), ...(verdict.tags.remove ?? [])];
    return {
      fields: [...values, ...detailFields, ...verdict.fields, ...delivery.fields],
      tags: { ...(add.length ? { add } : {}), ...(remove.length ? { remove } : {}) },
      readBack: readAddress(target.address, values) ?? line,
    };
  };
  return {
    plan,
    async write(accountId, p) {
      const planned = await plan(accountId, p);
      await deps.crm.updateFields(accountId, p.entity, p.entityId, planned.fields, planned.tags);
      // Recorded as it will read back, so the webhook our own write causes is recognised.
      await deps.writebacks.record({ accountId, entity: p.entity, entityId: p.entityId, fieldId: p.fieldId }, planned.readBack, deps.now());
    },
    async flag(accountId, p) {
      const target = await deps.mapping.authorize(accountId, p.entity, p.fieldId);
      const verdict = verdictValues(target, p.verdict);
      if (!verdict.fields.length && !verdict.tags.add?.length && !verdict.tags.remove?.length) return;
      await deps.crm.updateFields(accountId, p.entity, p.entityId, verdict.fields, verdict.tags);
      await deps.writebacks.record({ accountId, entity: p.entity, entityId: p.entityId, fieldId: p.fieldId }, p.value, deps.now());
    },
  };
}

export function writebackHandler(writer: AddressWriter): JobHandler<'writeback'> {
  return (item) => writer.write(item.accountId, item.payload);
}
