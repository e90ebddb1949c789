/**
 * Webhook bodies are parsed in a worker thread (server/intake/webhook-parser.ts): the change keys
 * come back, the hash is of the bytes as sent, a large body moves without a copy while a small
 * one (a slice of Node's shared pool) is left intact, and a worker that dies is replaced.
 */
import { afterEach, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { WebhookParser } from '../../server/intake/webhook-parser.js';

const parsers: WebhookParser[] = [];
const parser = () => {
  const p = new WebhookParser();
  parsers.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(parsers.splice(0).map((p) => p.close()));
});

it('answers the change keys and the SHA-256 of the bytes; field values are left out', async () => {
  const text = 'account[id]=42&leads[update][0][id]=7&leads[update][0][custom_fields][0][values][0][value]=%D0%A1%D0%B0%D0%BC%D0%B0%D1%80%D0%B0&contacts[add][0][id]=9&contacts[add][0][type]=company';
  const parsed = await parser().parse(Buffer.from(text));
  expect(parsed.sha256).toBe(createHash('sha256').update(text).digest('hex'));
  expect(JSON.parse(JSON.stringify(parsed.form))).toEqual({ account: { id: '42' }, leads: { update: { 0: { id: '7' } } }, contacts: { add: { 0: { id: '9', type: 'company' } } } });
});

it('a large body moves to the worker; a small pooled one is copied and its neighbours in the pool stay', async () => {
  const p = parser();
  const large = Buffer.concat([Buffer.from('account[id]=1&'), Buffer.alloc(100_000, 'x')]);
  const parses = [p.parse(large)];
  const pooled = Buffer.from('account[id]=2'); // small: a slice of the shared pool
  const neighbour = Buffer.from('still here');
  parses.push(p.parse(pooled));
  const [first, second] = await Promise.all(parses);
  expect(large.length).toBe(0); // moved, not copied
  expect(pooled.toString()).toBe('account[id]=2');
  expect(neighbour.toString()).toBe('still here');
  expect([first.form.account, second.form.account].map((a) => JSON.parse(JSON.stringify(a)).id)).toEqual(['1', '2']);
});

it('bodies sent together each get their own answer; after the worker stops, the next body gets a new one', async () => {
  const p = parser();
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => p.parse(Buffer.from(`account[id]=${i}&x=${'y'.repeat(5000)}`))));
  expect(answers.map((a) => JSON.parse(JSON.stringify(a.form)).account.id)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  // The worker stops (killed, out of memory): the next body gets a new worker.
  const worker = (p as unknown as { worker: import('node:worker_threads').Worker }).worker;
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  await worker.terminate();
  await exited;
  expect(JSON.parse(JSON.stringify((await p.parse(Buffer.from('account[id]=after'))).form)).account.id).toBe('after');
  // Closing fails what is still in it, in words.
  const inFlight = expect(p.parse(Buffer.from('account[id]=late'))).rejects.toThrow(/stopping/);
  await p.close();
  await inFlight;
});
