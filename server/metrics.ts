/**
 * What an operator watches, in Prometheus' text format (prom-client): request durations per
 * route, suggestion cache hits, amoCRM calls by how they ended, token refreshes, webhook
 * deliveries, and — read at each scrape — the outbox by state with the age of its oldest waiting
 * item, the address index, and the address-data update. One registry per running server, so
 * that several in one process (the tests) keep their own figures. deploy/ has a Grafana
 * dashboard and alert rules built on these names.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type AmoCallResult = 'ok' | '429' | 'rights' | 'blocked' | 'auth' | '5xx' | 'unreachable' | 'other';

/** What the gauges are read from at scrape time (compose.ts wires them). */
export interface MetricSources {
  outbox(): Promise<{ counts: Record<string, number>; oldestPendingAt: number | null }>;
  /** The served index and the address-data update, from one read of the data state. */
  data(): {
    index: { file: string | null; bytes: number; houses: number; streets: number; settlements: number };
    update: { running: boolean; lastAt: number | null; lastOk: boolean | null };
  };
  now(): number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'amo_address_http_request_duration_seconds',
    help: 'HTTP requests by route pattern (never the URL: it may hold secrets or typed addresses), method and status class',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly suggestions = new Counter({ name: 'amo_address_suggestions_total', help: 'Suggestion answers, by whether the answer cache held them', labelNames: ['cache'], registers: [this.registry] });
  readonly amoCalls = new Counter({ name: 'amo_address_amocrm_calls_total', help: 'amoCRM API v4 calls by result: ok, 429, rights, blocked, auth, 5xx, unreachable, other', labelNames: ['result'], registers: [this.registry] });
  readonly tokenRefreshes = new Counter({ name: 'amo_address_token_refreshes_total', help: 'amoCRM token refreshes, by result (ok, refused: the account must reconnect; failed: will be tried again)', labelNames: ['result'], registers: [this.registry] });
  readonly webhookDeliveries = new Counter({ name: 'amo_address_webhook_deliveries_total', help: 'amoCRM webhook deliveries, by what became of them (stored, duplicate)', labelNames: ['result'], registers: [this.registry] });

  /** Counts scrapes: a source is read once per scrape (see `text`). */
  private scrapes = 0;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    // Process figures (memory, CPU, event-loop lag, handles): off in tests, which start many servers in one process.
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'amo_address_' });
  }

  /** The Prometheus text of a scrape. */
  text(): Promise<string> {
    this.scrapes++;
    return this.registry.metrics();
  }

  private oncePerScrape<T>(read: () => T): () => T {
    let at = -1;
    let value: T;
    return () => {
      if (at !== this.scrapes) {
        value = read();
        at = this.scrapes;
      }
      return value;
    };
  }

  /** The gauges read at each scrape. */
  watch(given: MetricSources): void {
    const registers = [this.registry];
    // Two gauges read each source: one read serves a whole scrape (the outbox's counts are queries).
    const sources: MetricSources = { outbox: this.oncePerScrape(() => given.outbox()), data: this.oncePerScrape(() => given.data()), now: given.now };
    new Gauge({
      name: 'amo_address_outbox_items',
      help: 'Outbox items (writes to amoCRM) by state: pending, done, parked',
      labelNames: ['state'],
      registers,
      async collect() {
        const { counts } = await sources.outbox();
        for (const state of ['pending', 'done', 'parked']) this.set({ state }, counts[state] ?? 0);
      },
    });
    new Gauge({
      name: 'amo_address_outbox_oldest_pending_age_seconds',
      help: 'How long the oldest waiting outbox item has waited (0 when none waits)',
      registers,
      async collect() {
        const { oldestPendingAt } = await sources.outbox();
        this.set(oldestPendingAt === null ? 0 : Math.max(0, (sources.now() - oldestPendingAt) / 1000));
      },
    });
    new Gauge({
      name: 'amo_address_index_bytes',
      help: 'Size of the served address index file',
      labelNames: ['file'],
      registers,
      collect() {
        this.reset();
        const { index } = sources.data();
        this.set({ file: index.file ?? 'none' }, index.bytes);
      },
    });
    new Gauge({
      name: 'amo_address_index_places',
      help: 'Places in the served address index, by kind',
      labelNames: ['kind'],
      registers,
      collect() {
        const { index } = sources.data();
        this.set({ kind: 'house' }, index.houses);
        this.set({ kind: 'street' }, index.streets);
        this.set({ kind: 'settlement' }, index.settlements);
      },
    });
    new Gauge({
      name: 'amo_address_data_update_running',
      help: '1 while an address-data import or update runs',
      registers,
      collect() {
        this.set(sources.data().update.running ? 1 : 0);
      },
    });
    new Gauge({
      name: 'amo_address_data_update_last_success',
      help: 'Whether the last address-data update succeeded (1) or failed (0); absent before the first',
      registers,
      collect() {
        const { lastOk } = sources.data().update;
        this.reset();
        if (lastOk !== null) this.set(lastOk ? 1 : 0);
      },
    });
    new Gauge({
      name: 'amo_address_data_update_last_timestamp_seconds',
      help: 'When the last address-data update ended (Unix time)',
      registers,
      collect() {
        const { lastAt } = sources.data().update;
        this.reset();
        if (lastAt !== null) this.set(lastAt / 1000);
      },
    });
  }
}

/** The result kind of one amoCRM answer (`kind` from api-errors.ts when it was refused). */
export function amoResult(status: number, kind?: string): AmoCallResult {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429) return '429';
  if (status === 0) return 'unreachable';
  if (kind === 'blocked') return 'blocked';
  if (kind === 'rights') return 'rights';
  if (kind === 'auth' || status === 401) return 'auth';
  if (status >= 500) return '5xx';
  return 'other';
}
