/**
 * Every kind of work the outbox does, with what it is asked (`payload`) and the progress it saves
 * between steps (`state`). Enqueuing and handling are typed by this one map: a payload of the
 * wrong shape, or a kind without a handler, is a compile error.
 */
import type { EntityType } from '../amo/api-client.js';
import type { AddressData, Suggestion } from '../geocoding/types.js';
import type { IntakeLead } from '../intake/intake-schema.js';
import type { Verdict } from '../../contract/delivery.js';
import type { ChangedEntities } from '../intake/webhook-changes.js';
import type { OutboxItemOf, OutboxItem as StoredItem, OutboxRepository } from '../store/outbox-repository.js';

/** A website lead to create in amoCRM: contact, lead, note. */
export interface IntakePayload {
  intakeId: string;
  lead: IntakeLead;
}
export interface IntakeState {
  /** The normalised address (the text as typed when nothing replaced it) and how sure the match is. */
  address?: (Pick<Suggestion, 'value'> & { data: Partial<AddressData> | null; verdict?: Verdict }) | null;
  contactId?: number;
  contactCreateStarted?: boolean;
  leadId?: number;
  leadCreateStarted?: boolean;
  noteId?: number;
  noteCreateStarted?: boolean;
}

/** An address chosen in the widget, to write into a card's field. */
export interface WritebackPayload {
  entity: EntityType;
  entityId: number;
  fieldId: number;
  value: string;
  data: Partial<AddressData> | null;
  /** How sure the match is, when the caller matched free text (ambiguous); else it follows from `data`. */
  verdict?: Verdict;
}

/** The entities a webhook said changed: their address is re-read and normalised. */
export interface WebhookPayload {
  changed: ChangedEntities;
}

/**
 * `subscribe`: the account's own webhook URL is subscribed. `move`: only if the account still
 * has one of our older destinations (the URL once shared by every account) — that one is
 * removed and the account's own URL takes its place. Either way our stale destinations go.
 */
export interface SubscribePayload {
  /** `unsubscribe`: every destination of ours is removed (the admin console's switch). */
  mode: 'subscribe' | 'move' | 'unsubscribe';
}

/** Seed the account's address book from its leads, contacts and companies. */
export interface ImportAddressesPayload {
  fieldIds?: number[];
}
/** How far an import got, for the console's progress bar: entity `step` of `of`, values read so far. */
export interface ImportAddressesState {
  step?: number;
  of?: number;
  entity?: EntityType;
  read?: number;
}

/**
 * One step of cleaning an account's addresses (cleaning/base-cleaner.ts): the check, the apply
 * or the undo of a clean job. Its progress lives in the job's own rows, not in the item.
 */
export interface CleanPayload {
  jobId: number;
  phase: 'check' | 'apply' | 'undo';
}

type NoState = Record<string, never>;

// A type, not an interface: the store's generic constraint needs its implicit index signature.
export type OutboxJobs = {
  intake: { payload: IntakePayload; state: IntakeState };
  writeback: { payload: WritebackPayload; state: NoState };
  webhook: { payload: WebhookPayload; state: NoState };
  subscribe: { payload: SubscribePayload; state: NoState };
  import_addresses: { payload: ImportAddressesPayload; state: ImportAddressesState };
  clean: { payload: CleanPayload; state: NoState };
};

export type JobKind = keyof OutboxJobs;
export type Outbox = OutboxRepository<OutboxJobs>;
export type OutboxItem = StoredItem<OutboxJobs>;
export type JobItem<K extends JobKind> = OutboxItemOf<K, OutboxJobs[K]['payload'], OutboxJobs[K]['state']>;

export interface StepContext<S> {
  state: S;
  /** Merges `patch` into the state and stores it before the caller goes on. */
  save(patch: Partial<S>): Promise<void>;
}

/**
 * Thrown by a handler that did a bounded part of its work and has more: the item goes back to
 * the queue at once, its attempts kept, so a long job takes turns with the account's other items
 * and a stopping server waits for one part only.
 */
export class ContinueLater extends Error {
  constructor() {
    super('continues in its next turn');
  }
}

export type JobHandler<K extends JobKind> = (item: JobItem<K>, step: StepContext<OutboxJobs[K]['state']>) => Promise<void>;

/** A handler for every kind; in demo mode (no amoCRM) there are none. */
export type JobHandlers = { [K in JobKind]: JobHandler<K> };
