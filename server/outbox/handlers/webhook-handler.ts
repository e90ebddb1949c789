/**
 * A stored amoCRM webhook event: every lead, contact or company added or updated with an address
 * that did not come through the widget is normalised and written back. amoCRM signs no webhook
 * (reference §7), so the body only says *which* entities changed: their address is re-read
 * through API v4 before anything is decided. An address that cannot be replaced (not found, only
 * its street, several places fit) keeps its text and gets the verdict's field and tag. The update our own write causes carries the value
 * we wrote, which is recognised and left alone, so there is no second round.
 */
import type { EntityType } from '../../amo/api-client.js';
import type { AmoCrm } from '../../amo/crm.js';
import { readAddress } from '../../amo/address-fields.js';
import type { AddressService } from '../../geocoding/address-service.js';
import { checkAddress } from '../../geocoding/normalize-address.js';
import type { WritebacksRepository } from '../../store/writebacks-repository.js';
import type { FieldMapping } from '../field-mapping.js';
import type { JobHandler } from '../jobs.js';
import type { AddressWriter } from './writeback-handler.js';

export interface WebhookDeps {
  crm: AmoCrm;
  addresses: AddressService;
  mapping: FieldMapping;
  writebacks: WritebacksRepository;
  writer: AddressWriter;
}

export function webhookHandler(deps: WebhookDeps): JobHandler<'webhook'> {
  return async (item) => {
    const { accountId } = item;
    for (const [entity, ids] of Object.entries(item.payload.changed ?? {}) as Array<[EntityType, number[]]>) {
      const target = await deps.mapping.forEntity(accountId, entity);
      if (!target || !ids.length) continue;
      const fieldId = target.address.id;
      for (const record of await deps.crm.entities(accountId, entity, ids)) {
        const value = readAddress(target.address, record.custom_fields_values);
        if (!value) continue;
        if ((await deps.writebacks.last({ accountId, entity, entityId: record.id, fieldId }))?.value === value) continue; // our own write
        const check = await checkAddress(deps.addresses, accountId, value);
        const found = check.replacement;
        // "…, д 5, домофон 12": the details typed into the address go to their fields (or stay, in DaData's style).
        if (found && found.value !== value) await deps.writer.write(accountId, { entity, entityId: record.id, fieldId, value: found.value, data: found.data, verdict: check.verdict });
        else if (!found) await deps.writer.flag(accountId, { entity, entityId: record.id, fieldId, value, verdict: check.verdict });
      }
    }
  };
}
