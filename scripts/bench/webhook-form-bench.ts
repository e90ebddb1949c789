/**
 * How long one amoCRM webhook body with 10,000 indexed parameters (the parser's limit, ~0.5 MB)
 * takes to read, median of 20 runs after a warm-up: the old qs-based parse took seconds here.
 */
import { parseWebhookForm, WEBHOOK_FORM_LIMITS } from '../../server/intake/webhook-form.js';
import { percentiles } from './http-load.js';

export function benchWebhookForm(): { parameters: number; bytes: number; p50: number; p95: number } {
  const params = new URLSearchParams({ 'account[id]': '1' });
  for (let i = 0; params.size < WEBHOOK_FORM_LIMITS.parameters - 2; i++) {
    params.set(`leads[update][${i}][id]`, String(i + 1));
    params.set(`leads[update][${i}][custom_fields][0][id]`, '762381');
    params.set(`leads[update][${i}][custom_fields][0][values][0][value]`, 'Самара, улица Авроры, д 110');
  }
  const body = params.toString();
  for (let i = 0; i < 5; i++) parseWebhookForm(body);
  const times = Array.from({ length: 20 }, () => {
    const started = performance.now();
    parseWebhookForm(body);
    return performance.now() - started;
  });
  const p = percentiles(times);
  return { parameters: params.size, bytes: body.length, p50: p.p50, p95: p.p95 };
}
