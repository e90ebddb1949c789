/**
 * The widget's write-back of a chosen address into a card's entity: only an address field of
 * that entity is accepted (FieldMapping.authorize, against amoCRM's /custom_fields), only a value
 * the field takes, and only from a user amoCRM lets edit that entity (UserRights); the write is
 * durable (an outbox item) and the same value twice makes one write.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { EntityType } from '../amo/api-client.js';
import type { AddressService } from '../geocoding/address-service.js';
import { addressData } from '../geocoding/types.js';
import type { WritebacksRepository } from '../store/writebacks-repository.js';
import { fitsTarget, type FieldMapping } from '../outbox/field-mapping.js';
import type { Outbox, WritebackPayload } from '../outbox/jobs.js';
import { AppError } from '../errors.js';
import type { RightsCaller, UserRights } from '../amo/user-rights.js';
import type { WritebackRequest } from '../../contract/api.js';

export type WritebackAnswer = { status: 'unchanged' } | { status: 'queued' | 'already_queued'; id: number };

export class WritebackRequests {
  constructor(
    private readonly deps: { mapping: FieldMapping; rights: UserRights; writebacks: WritebacksRepository; outbox: Outbox; addresses: AddressService; clock: Clock; wake(): void },
  ) {}

  async request(caller: RightsCaller, entity: EntityType, entityId: number, body: WritebackRequest): Promise<WritebackAnswer> {
    const { mapping, writebacks, outbox, addresses, clock } = this.deps;
    const { accountId } = caller;
    const target = await mapping.authorize(accountId, entity, body.fieldId);
    // The integration's token may write anything: the caller's own amoCRM rights decide.
    await this.deps.rights.assertMayEdit(caller, entity, entityId);
    if (!fitsTarget(target, body.value)) {
      throw new AppError('value_too_long', `Field ${body.fieldId} is a text field: amoCRM takes at most 256 characters there.`, { field: 'value' });
    }
    // The pick joins the account's address book whether or not the field changes.
    await addresses.remember(accountId, { value: body.value, data: body.data ?? {}, source: body.source });
    const last = await writebacks.last({ accountId, entity, entityId, fieldId: body.fieldId });
    // Details with fields of their own are not in the line: a changed floor alone must still be written.
    const ownDetails = Object.keys(target.details).length > 0;
    if (last?.value === body.value && !ownDetails) return { status: 'unchanged' };
    // One item per (target, value, last write): a double click queues one write.
    const detailsKey = ownDetails ? JSON.stringify((['flat', 'entrance', 'floor', 'intercom', 'courier_comment'] as const).map((k) => body.data?.[k] ?? null)) : '';
    const dedupe = `wb:${accountId}:${entity}:${entityId}:${body.fieldId}:${createHash('sha256').update(body.value + detailsKey).digest('hex').slice(0, 16)}:${last?.writtenAt ?? 0}`;
    const payload: WritebackPayload = { entity, entityId, fieldId: body.fieldId, value: body.value, data: body.data ? addressData(body.data) : null };
    const { id, duplicate } = await outbox.enqueue(accountId, 'writeback', payload, clock.now(), dedupe);
    this.deps.wake();
    return { id, status: duplicate ? 'already_queued' : 'queued' };
  }
}
