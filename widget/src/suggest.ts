/**
 * The suggestion engine: debounce, minimum length, an in-page cache of the backend's answers per
 * text, abort of the request in flight when a newer query starts, and the rule that only the
 * answer to the latest text is ever shown (geocoding-notes, DaData's plugin). It never touches the DOM.
 */
// One contract with the backend: the widget renders exactly what the server answers.
import type { AddressData, ErrorCode, SuggestNote, Suggestion as ServerSuggestion } from '../../contract/api.js';

export type { AddressData, SuggestNote };
export type Suggestion = Omit<ServerSuggestion, 'source'> & { source: string };

/** A call to the backend that can be aborted; rejects with a BackendError. */
export type Transport = (path: string, params: Record<string, unknown>, signal: AbortSignal, method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', raw?: RawBody) => Promise<unknown>;

/** A body sent as it is (a zone file), not as JSON. */
export interface RawBody {
  body: Blob | ArrayBuffer | string;
  contentType: string;
}

export class BackendError extends Error {
  constructor(
    readonly status: number,
    /** The backend's code (contract/api.ts), or what went wrong before an answer came. */
    readonly code: ErrorCode | 'aborted' | 'network_error' | 'http_error',
    /** The field the backend named in its error (a settings path such as `fields.leads.address`). */
    readonly field: string | null = null,
    /** What else the error said: a zone file's `reason` and `details` (the zones or points at fault). */
    readonly extra: { reason?: string; details?: string[]; missing?: string[] } = {},
  ) {
    super(`backend ${status} ${code}`);
  }
  /** The account cannot use suggestions until an admin acts: stop asking. */
  get blocksSuggestions(): boolean {
    return this.code === 'reconnect_required' || this.code === 'account_not_connected';
  }
}

export interface EngineOptions {
  transport: Transport;
  /** Quiet milliseconds before asking, by what is being typed (`debounceFor`). */
  debounce: Debounce;
  minChars: number;
  count: number;
  bias: string | null;
  onResults(query: string, suggestions: Suggestion[], note: SuggestNote | null): void;
  onLoading(query: string): void;
  onError(error: BackendError): void;
  /** Too short to ask: the view closes its list. */
  onIdle(): void;
}

/** Quiet milliseconds before asking: inside a word, after a separator, and while a house number is typed. */
export interface Debounce {
  word: number;
  separator: number;
  house: number;
}

/**
 * How long to wait before asking for `text`. A word being typed is waited out (a list for half a
 * street name is rarely the one wanted); a finished word or a house number is asked at once, as
 * the list for it is what the manager looks at next. Measured with `npm run bench` (typing):
 * docs/benchmarks.md has the requests and the times of each choice.
 */
export function debounceFor(text: string, debounce: Debounce): number {
  if (/[\s,.]$/.test(text)) return debounce.separator;
  return /(?:^|[\s,])(?:д\.?\s*)?\d[\p{L}\p{N}/-]*$/u.test(text) || /\d[\s,]*(?:к|корп|с|стр)\.?\s*\d*$/iu.test(text) ? debounce.house : debounce.word;
}

export class SuggestEngine {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: AbortController | null = null;
  private inflightKey = '';
  private latest = '';
  /** The backend's answers by text (queryKey): a list is shown only for the text it answers. */
  private readonly cache = new Map<string, Answer>();
  /** Requests actually sent (the benchmark and the tests read it). */
  requestsSent = 0;

  constructor(private readonly options: EngineOptions) {}

  /**
   * The input changed to `text` (as typed). Shows the backend's answer for exactly this text when
   * it has one (the same text typed again), waits for the request already on its way for it, or
   * asks after the quiet time `debounceFor` gives. A list is never made in the page: any list
   * shown is the backend's answer for the text it says it answers.
   */
  input(text: string): void {
    this.latest = text;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (text.trim().length < this.options.minChars) {
      this.abort();
      this.options.onIdle();
      return;
    }
    const key = queryKey(text);
    const known = this.cache.get(key);
    if (known) {
      this.abort();
      this.options.onResults(text, known.suggestions, known.note);
      return;
    }
    if (this.inflight && this.inflightKey === key) return; // its answer will be shown for this text
    this.timer = setTimeout(() => this.fetch(text), debounceFor(text, this.options.debounce));
  }

  /** Ask at once (after a pick that stops above house level, the next level is wanted now). */
  now(text: string): void {
    this.input(text);
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      void this.fetch(text);
    }
  }

  /** Escape, blur, destroy: forget the pending query and abort the request in flight. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.latest = '';
    this.abort();
  }

  /** The single best structured match for a chosen or existing value (postal code, coordinates). */
  async resolve(value: string): Promise<Suggestion | null> {
    const controller = new AbortController();
    const params: Record<string, string> = { q: value };
    if (this.options.bias) params.city = this.options.bias;
    try {
      const body = (await this.options.transport('/api/address/resolve', params, controller.signal)) as { suggestion?: Suggestion };
      return body?.suggestion ?? null;
    } catch {
      return null;
    }
  }

  private async fetch(text: string): Promise<void> {
    this.timer = null;
    this.abort();
    const controller = new AbortController();
    const key = queryKey(text);
    this.inflight = controller;
    this.inflightKey = key;
    this.options.onLoading(text);
    const params: Record<string, string | number> = { q: text, count: this.options.count };
    if (this.options.bias) params.city = this.options.bias;
    this.requestsSent++;
    try {
      const body = (await this.options.transport('/api/address/suggest', params, controller.signal)) as { suggestions?: Suggestion[]; note?: SuggestNote };
      const answer: Answer = { suggestions: Array.isArray(body?.suggestions) ? body.suggestions.slice(0, this.options.count) : [], note: body?.note ?? null };
      this.cache.set(key, answer);
      // Only the answer for the text as it now reads is shown; a stale one is dropped.
      if (controller.signal.aborted || key !== queryKey(this.latest)) return;
      this.options.onResults(this.latest, answer.suggestions, answer.note);
    } catch (error) {
      if (controller.signal.aborted) return;
      this.options.onError(error instanceof BackendError ? error : new BackendError(0, 'network_error'));
    } finally {
      if (this.inflight === controller) this.inflight = null;
    }
  }

  private abort(): void {
    this.inflight?.abort();
    this.inflight = null;
  }
}

interface Answer {
  suggestions: Suggestion[];
  note: SuggestNote | null;
}

/** Texts the backend answers alike: case, ё and runs of spaces aside (server/geocoding/address-service.ts queryKey). */
const queryKey = (text: string) => text.toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').replace(/^ /, '');
