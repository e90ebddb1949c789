/**
 * The worker thread webhook bodies are read in (webhook-parser.ts): at the size limit a body is
 * tens of milliseconds of parsing and hashing, which here never delays a suggestion.
 */
import { parentPort } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { parseWebhookForm } from './webhook-form.js';
import { isChangeKey } from './webhook-changes.js';
import { yieldToAnsweringThread } from '../workers/thread-priority.js';

yieldToAnsweringThread();

const utf8 = new TextDecoder();

/** The body's bytes (moved here, not copied): decoded as UTF-8, as a form body is, and hashed as sent. */
parentPort!.on('message', ({ id, body }: { id: number; body: Uint8Array }) => {
  try {
    const form = parseWebhookForm(utf8.decode(body), isChangeKey);
    parentPort!.postMessage({ id, result: { form, sha256: createHash('sha256').update(body).digest('hex') } });
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error)?.message ?? String(error) });
  }
});
