/**
 * What the check says of one entity's address: its class, the address the apply would write (as
 * amoCRM will read it back), and the delivery zone and price of where it is. The same matching
 * as a webhook's (checkAddress): the index's own answer, never a guess that changes the place.
 */
import type { AddressService } from '../geocoding/address-service.js';
import { checkAddress } from '../geocoding/normalize-address.js';
import { readAddress } from '../amo/address-fields.js';
import { addressFieldValues, type AddressTarget } from '../outbox/field-mapping.js';
import { withDetails } from '../outbox/detail-fields.js';
import type { DeliveryZones } from '../delivery/delivery-zones.js';
import { budgetOf, quoteDelivery } from '../../contract/delivery.js';
import type { CleanClass } from '../../contract/cleaning.js';
import type { StoredCleanRow } from '../store/clean-jobs-repository.js';
import type { FieldValue } from '../amo/crm.js';

export interface ClassifyDeps {
  addresses: AddressService;
  zones: DeliveryZones;
}

export async function classifyAddress(deps: ClassifyDeps, accountId: number, target: AddressTarget, entity: { id: number; price?: number | null; custom_fields_values?: FieldValue[] | null }): Promise<StoredCleanRow> {
  const budget = budgetOf(entity.price);
  const row = (cls: CleanClass, oldValue: string, extra: Partial<StoredCleanRow> = {}): StoredCleanRow => ({
    entityId: entity.id,
    class: cls,
    oldValue,
    newValue: null,
    verdict: null,
    zone: null,
    price: null,
    budget,
    data: null,
    state: 'none',
    reason: null,
    oldFields: null,
    newFields: null,
    ...extra,
  });
  const value = readAddress(target.address, entity.custom_fields_values)?.trim() ?? '';
  if (!value) return row('empty', '');
  const check = await checkAddress(deps.addresses, accountId, value);
  const where = check.replacement ?? check.match;
  const located = where ? await deps.zones.locate(accountId, where.data) : null;
  const zone = located?.delivery_zone?.name ?? null;
  const price = located?.delivery_rate ? quoteDelivery(located.delivery_rate, budget).price : null;
  const found = check.replacement;
  if (!found) return row(check.verdict === 'ambiguous' ? 'ambiguous' : 'not_found', value, { verdict: check.verdict, zone, price });
  // As the apply would write it (details typed after the house kept in DaData's style where no
  // field takes them) and as amoCRM would read it back.
  const { line } = withDetails(target, found.value, found.data);
  const readBack = readAddress(target.address, addressFieldValues(target, line, found.data)) ?? line;
  return row(readBack === value ? 'unchanged' : 'normalise', value, {
    newValue: readBack,
    verdict: check.verdict,
    zone,
    price,
    data: JSON.stringify({ value: found.value, data: found.data }),
  });
}
