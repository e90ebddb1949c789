/**
 * Cleaning an account's existing addresses (the console's "Проверка адресов в базе"): what the
 * console asks and what it is shown. Shared by the server (server/cleaning/) and the console.
 */
import type { Verdict } from './delivery.js';

export type CleanEntity = 'leads' | 'contacts' | 'companies';

/**
 * What a check reads, all optional: a lead pipeline (and one of its stages), and when the
 * entities were created (ISO dates, both ends included).
 */
export interface CleanFilter {
  pipelineId?: number;
  statusId?: number;
  createdFrom?: string;
  createdTo?: string;
}

/**
 * What the check says of one address:
 * - `unchanged`: already as the index writes it;
 * - `normalise`: a house the index knows, written differently (old → new);
 * - `ambiguous`: several places fit the text equally well; nothing is written;
 * - `not_found`: no house the index knows (maybe its street or settlement: see the verdict);
 * - `empty`: the field holds nothing.
 */
export const CLEAN_CLASSES = ['unchanged', 'normalise', 'ambiguous', 'not_found', 'empty'] as const;
export type CleanClass = (typeof CLEAN_CLASSES)[number];

/**
 * A row's part in the apply: `none` (not chosen), `selected` (to write), `applied`, `skipped`
 * (changed in amoCRM since the check: left as it is), `parked` (amoCRM refused it; `reason`
 * says why), `undone` (its old values written back).
 */
export type CleanRowState = 'none' | 'selected' | 'applied' | 'skipped' | 'parked' | 'undone';

/**
 * `checking` → `checked` → `applying` → `applied` → `undoing` → `undone`; `cancelled` from
 * any running phase (what was done stays done, and an apply can still be undone); `failed`
 * when the job's step was refused for good (`error` says why).
 */
export type CleanStatus = 'checking' | 'checked' | 'applying' | 'applied' | 'undoing' | 'undone' | 'cancelled' | 'failed';

export interface CleanRow {
  entityId: number;
  /** The card in amoCRM. */
  link: string;
  class: CleanClass;
  oldValue: string;
  newValue: string | null;
  verdict: Verdict | null;
  zone: string | null;
  /** The delivery price for this address (and the lead's budget), in the account's currency. */
  price: number | null;
  state: CleanRowState;
  reason: string | null;
}

export interface CleanJob {
  id: number;
  entity: CleanEntity;
  filter: CleanFilter;
  status: CleanStatus;
  /** Entities read so far (the check), by class. */
  read: number;
  counts: Record<CleanClass, number>;
  /** The running phase's rows to write and written (apply, undo). */
  toDo: number;
  done: number;
  /** Apply results. */
  applied: number;
  skipped: number;
  parked: number;
  undone: number;
  /** Seconds the running phase still needs at its pace so far; null when it cannot be told (a check does not know how many entities there are). */
  etaSeconds: number | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CleanRowsPage {
  rows: CleanRow[];
  total: number;
}
