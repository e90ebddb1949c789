/**
 * The suggestion engine: debounce, minimum length, an in-page cache per query, abort of the
 * request in flight when a newer query starts, and the rule that only the answer to the latest
 * query is ever shown (geocoding-notes, DaData's plugin). It never touches the DOM.
 */
// One contract with the backend: the widget renders exactly what the server answers.
import type { AddressData, ErrorCode, Suggestion as ServerSuggestion } from '../../contract/api.js';

export type { AddressData };
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
  debounceMs: number;
  minChars: number;
  count: number;
  bias: string | null;
  onResults(query: string, suggestions: Suggestion[]): void;
  onLoading(query: string): void;
  onError(error: BackendError): void;
  /** Too short to ask: the view closes its list. */
  onIdle(): void;
}

/**
 * How many suggestions each request asks for (the backend's maximum), of which `count` are shown:
 * the rest let the next keys be answered in the page. Measured with `BENCH_ONLY=typing npm run
 * bench` (docs/benchmarks.md): fewer requests per address and the same list times.
 */
export const LOOKAHEAD = 20;

export class SuggestEngine {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: AbortController | null = null;
  private inflightKey = '';
  private latest = '';
  private readonly cache = new Map<string, Suggestion[]>();
  /** Requests actually sent (the benchmark and the tests read it). */
  requestsSent = 0;

  constructor(private readonly options: EngineOptions) {}

  /**
   * The input changed to `text` (as typed). Asks the backend only when nothing it already said
   * answers this text: the same text again (also with a trailing space or comma), a longer text
   * whose shorter form got a complete list (each request asks for LOOKAHEAD suggestions and
   * shows `count`: an answer shorter than LOOKAHEAD held every match, so the longer text's
   * matches are among them), or a text whose request is already on its way.
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
    const key = cacheKey(text);
    const known = this.cache.get(key)?.slice(0, this.options.count) ?? this.fromCompleteList(key, text);
    if (known) {
      this.abort();
      this.options.onResults(text, known);
      return;
    }
    if (this.inflight && this.inflightKey === key) return; // its answer will be shown for this text
    this.timer = setTimeout(() => this.fetch(text), this.options.debounceMs);
  }

  /** The matches among a complete list for a shorter form of the text, or null to ask. */
  private fromCompleteList(key: string, text: string): Suggestion[] | null {
    let best: string | null = null;
    for (const [known, list] of this.cache) {
      if (list.length >= LOOKAHEAD || list.length === 0 || !key.startsWith(known) || known.length < this.options.minChars) continue;
      if (best === null || known.length > best.length) best = known;
    }
    if (best === null) return null;
    const typed = words(text);
    const matches = this.cache.get(best)!.filter((s) => {
      const have = words(s.value);
      return typed.every((w) => have.some((h) => h.startsWith(w)));
    });
    if (!matches.length) return null;
    // As the backend ranks a whole match first: a suggestion that ends with the last typed word
    // ("д 6А" for "…6а", before "д 6А к1") goes before those that only start with it.
    const last = typed[typed.length - 1];
    const whole = matches.filter((s) => {
      const have = words(s.value);
      return have[have.length - 1] === last;
    });
    return [...whole, ...matches.filter((s) => !whole.includes(s))].slice(0, this.options.count);
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
    this.inflight = controller;
    this.inflightKey = cacheKey(text);
    this.options.onLoading(text);
    const params: Record<string, string | number> = { q: text, count: Math.max(LOOKAHEAD, this.options.count) };
    if (this.options.bias) params.city = this.options.bias;
    this.requestsSent++;
    try {
      const body = (await this.options.transport('/api/address/suggest', params, controller.signal)) as { suggestions?: Suggestion[] };
      const suggestions = Array.isArray(body?.suggestions) ? body.suggestions : [];
      this.cache.set(cacheKey(text), suggestions);
      // Only the answer to the latest query is shown (for the text as it now reads: a space
      // typed meanwhile asks nothing new); a stale one is dropped.
      if (controller.signal.aborted || cacheKey(text) !== cacheKey(this.latest)) return;
      this.options.onResults(this.latest, suggestions.slice(0, this.options.count));
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

/** One key for texts that ask the same: case, ё, spaces and trailing commas or dots do not change the answer. */
const cacheKey = (text: string) => text.toLowerCase().replace(/ё/g, 'е').replace(/[\s,.]+/g, ' ').trim();

const words = (text: string) => text.toLowerCase().replace(/ё/g, 'е').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
