/**
 * The page amoCRM's mobile app shows in a lead card's widget block (`mobile_card`, opened at the
 * manifest's `frame_url` with `?token=…`): the lead's delivery address with the same suggestions
 * as the web card (FieldAutocomplete: list, keyboard, touch rows, screen-reader announcements),
 * and a Save button, since the app's own card fields are out of our reach. Saving goes through
 * the backend's write-back, which checks the user's amoCRM rights.
 */
import type { MobileCardState } from '../../../contract/api.js';
import ru from '../../i18n/ru.json';
import en from '../../i18n/en.json';
import { FieldAutocomplete } from '../field-autocomplete.js';
import { deliveryPanel } from '../delivery/delivery-panel.js';
import { fill, translator, type Translate } from '../i18n.js';
import { resolveSettings } from '../settings.js';
import { injectStyles } from '../styles.js';
import { BackendError, type Suggestion } from '../suggest.js';
import { createTransport } from '../transport.js';

export function startMobileCard(doc: Document, at: Location): void {
  const token = new URLSearchParams(at.search).get('token') ?? '';
  const t = translator(/^ru/i.test(doc.documentElement.lang || navigator.language || 'ru') && !/^en/i.test(navigator.language) ? ru : en);
  const transport = createTransport(() => at.origin, undefined, { 'X-Auth-Token': token });
  const root = doc.getElementById('amo-mobile')!;
  const status = doc.getElementById('amo-mobile-status')!;
  const say = (text: string) => (status.textContent = text);
  injectStyles(doc);
  say(t('mobile.loading'));
  transport('/api/mobile/card', {}, new AbortController().signal)
    .then((body) => show(body as MobileCardState))
    .catch((error: unknown) => say(problem(t, error)));

  function show(card: MobileCardState): void {
    if (!card.field) return void say(t('mobile.no_field'));
    say('');
    const label = doc.createElement('label');
    label.htmlFor = 'amo-mobile-address';
    label.textContent = card.field.name ?? t('mobile.title');
    const wrap = doc.createElement('div');
    wrap.className = 'amo-mobile__field';
    const input = doc.createElement('input');
    input.id = 'amo-mobile-address';
    input.type = 'text';
    input.name = `CFV[${card.field.id}]`; // FieldAutocomplete reads the field id from the name, as in a card
    input.value = card.value ?? '';
    const save = doc.createElement('button');
    save.type = 'button';
    save.textContent = t('mobile.save');
    wrap.append(input);
    // The lead's budget where the delivery panel reads a card's (lead[PRICE]), so the chip prices for it.
    const budget = doc.createElement('input');
    budget.type = 'hidden';
    budget.name = 'lead[PRICE]';
    budget.value = card.budget === null ? '' : String(card.budget);
    wrap.append(budget);
    root.append(label, wrap, save, status); // what happened, under the button
    let chosen: Suggestion | null = null;
    const settings = resolveSettings({ field_ids: String(card.field.id) }, at.origin);
    // The field's list, notices and announcements, exactly as in the web card.
    // The page is the backend's own, not the zip's: the delivery panel is bundled into it.
    new FieldAutocomplete(input, { transport, settings, t, onChosen: (_id, suggestion) => (chosen = suggestion), delivery: () => Promise.resolve(deliveryPanel) });
    save.addEventListener('click', () => {
      if (!chosen || chosen.value !== input.value.trim()) return void say(t('mobile.pick_first'));
      save.disabled = true;
      say(t('mobile.saving'));
      const body = { fieldId: card.field!.id, value: chosen.value, data: chosen.data, source: chosen.source };
      transport(`/api/amocrm/leads/${card.id}/address`, body, new AbortController().signal, 'POST')
        .then((answer) => say(t((answer as { status?: string })?.status === 'unchanged' ? 'mobile.unchanged' : 'mobile.saved')))
        .catch((error: unknown) => say(problem(t, error)))
        .finally(() => (save.disabled = false));
    });
  }
}

/** An error in words the manager can act on. */
function problem(t: Translate, error: unknown): string {
  const code = error instanceof BackendError ? error.code : 'network_error';
  if (code === 'unsupported_card' || code === 'auth_required') return t('mobile.no_card');
  if (code === 'token_expired' || code === 'invalid_token') return t('mobile.expired');
  if (code === 'account_not_connected' || code === 'reconnect_required') return t('mobile.not_connected');
  if (code === 'no_rights' || code === 'rights_unverifiable') return t('mobile.no_rights');
  return fill(t('mobile.failed'), { message: code });
}
