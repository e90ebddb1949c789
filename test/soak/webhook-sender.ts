/**
 * Four webhook senders in a process of their own (so that building and uploading half-megabyte
 * bodies does not slow the test process that times the suggestions): each posts deliveries at the
 * size limit as soon as the last one is answered, and waits what Retry-After says when refused,
 * as amoCRM delivers again later. Prints the answers by status as JSON when `ms` is over.
 * Usage: node --import tsx test/soak/webhook-sender.ts <url> <accountId> <ms>
 */
import { WEBHOOK_FORM_LIMITS } from '../../server/intake/webhook-form.js';

const [url, accountId, ms] = process.argv.slice(2);

/** Leads in amoCRM's v2 layout up to whichever limit comes first. */
function bigDelivery(): string {
  const parts = [`account[id]=${accountId}`, 'account[subdomain]=acme'];
  let bytes = 40;
  const room = () => parts.length < WEBHOOK_FORM_LIMITS.parameters - 4 && bytes < WEBHOOK_FORM_LIMITS.bytes - 400;
  const add = (...more: string[]) => more.forEach((p) => { parts.push(p); bytes += p.length + 1; });
  for (let lead = 0; room(); lead++) {
    const at = `leads[update][${lead}]`;
    add(`${at}[id]=${9_000_000 + lead}`, `${at}[name]=${encodeURIComponent(`Сделка ${lead}`)}`);
    for (let field = 0; field < 60 && room(); field++) {
      add(`${at}[custom_fields][${field}][id]=${700000 + field}`, `${at}[custom_fields][${field}][values][0][value]=${encodeURIComponent(`Самара, улица Авроры, д ${field}`)}`);
    }
  }
  return parts.join('&');
}

const body = bigDelivery();
const answers: Record<string, number> = {};
const until = Date.now() + Number(ms);
async function sender(s: number): Promise<void> {
  for (let n = 1; Date.now() < until; n++) {
    // `n` makes each delivery new (not a duplicate, which would skip the store).
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${body}&n=${s}-${n}` }).catch(() => null);
    const status = res?.status ?? 0;
    answers[status] = (answers[status] ?? 0) + 1;
    await res?.arrayBuffer();
    if (status !== 200) await new Promise((r) => setTimeout(r, Math.min(Number(res?.headers.get('retry-after') ?? 1) * 1000, until - Date.now())));
  }
}
await Promise.all([0, 1, 2, 3].map(sender));
process.stdout.write(JSON.stringify({ bytes: body.length, answers }));
