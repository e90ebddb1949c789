/**
 * Webhook bodies are parsed in a worker thread of their own, at a lower priority than the thread
 * that answers suggestions: in the neighbour soak (docs/benchmarks.md) their parse was the largest
 * share of that thread's work during a flood. One worker, bodies in the order given (the caller's
 * FairQueue decides whose turn it is); if the worker dies, the bodies in it fail and the next gets
 * a new worker.
 */
import { Worker } from 'node:worker_threads';
import type { FormObject } from './webhook-form.js';
import { movableBytes } from '../workers/movable-bytes.js';

export interface ParsedWebhook {
  form: FormObject;
  sha256: string;
}

// Under tsx and vitest this module is TypeScript, and so is its worker (loaded through tsx).
const SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(SOURCE ? './webhook-parser-worker.ts' : './webhook-parser-worker.js', import.meta.url);

export class WebhookParser {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve(parsed: ParsedWebhook): void; reject(error: Error): void }>();
  private next = 1;

  /**
   * The body's change keys (webhook-changes.ts isChangeKey) and the SHA-256 of its bytes. The
   * body moves to the worker when it is a whole buffer of its own (any large one; it is empty
   * here afterwards); a small one, possibly a slice of Node's shared pool, is copied.
   */
  parse(body: Buffer): Promise<ParsedWebhook> {
    const worker = this.worker ?? this.spawn();
    const id = this.next++;
    const bytes = movableBytes(body, true);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, body: bytes }, [bytes.buffer]);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('the server is stopping'));
    await worker?.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_URL, { execArgv: SOURCE ? ['--import', 'tsx'] : [], resourceLimits: { maxOldGenerationSizeMb: 128, stackSizeMb: 4 } });
    worker.unref(); // an idle parser never keeps the process alive
    worker.on('message', (message: { id: number; result?: ParsedWebhook; error?: string }) => {
      const job = this.pending.get(message.id);
      if (!job) return;
      this.pending.delete(message.id);
      if (message.result) job.resolve(message.result);
      else job.reject(new Error(message.error));
    });
    const gone = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(error);
    };
    worker.on('error', gone);
    worker.on('exit', () => gone(new Error('the webhook parser stopped')));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }
}
