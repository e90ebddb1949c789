// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AddressWidget } from '../../widget/src/address-widget.js';
import { BackendError, debounceFor, type Suggestion } from '../../widget/src/suggest.js';
import { AUTOCOMPLETE_OFF } from '../../widget/src/combobox.js';
import en from '../../widget/i18n/en.json' with { type: 'json' };
import ru from '../../widget/i18n/ru.json' with { type: 'json' };
import { resultsText, translator } from '../../widget/src/i18n.js';

const data = (parts: Partial<Suggestion['data']> = {}): Suggestion['data'] => ({ country: 'Россия', region: null, city: 'Самара', settlement: null, street: null, house: null, block: null, flat: null, postal_code: null, lat: null, lon: null, ...parts }) as Suggestion['data'];
const house = (value: string, n: string): Suggestion => ({ value, unrestricted_value: value, data: data({ street: 'ул Авроры', house: n }), source: 'local' });
const RESULTS = [house('Самара, ул Авроры, д 110', '110'), house('Самара, ул Авроры, д 112', '112'), house('Самара, ул Авроры, д 114', '114')];

interface Call {
  path: string;
  params: Record<string, unknown>;
  signal: AbortSignal;
  resolve(body: unknown): void;
  reject(error: unknown): void;
}

function setup(options: { settings?: Record<string, string>; html?: string; keepDom?: boolean } = {}) {
  if (!options.keepDom) document.body.innerHTML = options.html ?? `<div id="card_holder"><div data-id="762381"><input name="CFV[762381]" type="text"></div><input name="CFV[100]" type="text"></div>`;
  const calls: Call[] = [];
  const ajax = vi.fn((opts: { url: string; data: unknown; type: string }) => {
    let done: (b: unknown) => void = () => {};
    let fail: (x: unknown) => void = () => {};
    const call: Call = { path: new URL(opts.url).pathname, params: typeof opts.data === 'string' ? JSON.parse(opts.data) : (opts.data as Record<string, unknown>), signal: new AbortController().signal, resolve: (b) => done(b), reject: (x) => fail(x) };
    calls.push(call);
    const deferred = {
      aborted: false,
      done(cb: (b: unknown) => void) { done = cb; return deferred; },
      fail(cb: (x: unknown) => void) { fail = cb; return deferred; },
      abort() { deferred.aborted = true; fail({ status: 0 }); },
    };
    (call as unknown as { deferred: typeof deferred }).deferred = deferred;
    return deferred;
  });
  const jqueryEvents: string[] = [];
  const widget = new AddressWidget({
    defaultBackendUrl: 'http://backend.test',
    settings: () => ({ field_ids: '762381', ...options.settings }),
    area: () => 'lcard',
    langs: () => en,
    authorizedAjax: () => ajax as never,
    jquery: () => ((el: Element) => ({ trigger: (e: string) => jqueryEvents.push(`${(el as HTMLInputElement).name}:${e}`) })) as never,
    debounceMs: 150,
  });
  widget.bindActions();
  live.push(widget);
  const input = document.querySelector<HTMLInputElement>('[name^="CFV[7623"]')!;
  input.focus();
  const type = (text: string) => {
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const key = (k: string) => {
    const e = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true });
    input.dispatchEvent(e);
    return e;
  };
  const suggestCalls = () => calls.filter((c) => c.path === '/api/address/suggest');
  const list = () => document.querySelector<HTMLUListElement>('.amo-address__list')!;
  const options_ = () => [...list().querySelectorAll('li[role="option"]')].map((li) => li.textContent);
  return { widget, input, type, key, calls, suggestCalls, list, options: options_, ajax, jqueryEvents };
}

/** Types `query`, lets the debounce fire and answers with `results`. */
async function showResults(t: ReturnType<typeof setup>, query: string, results = RESULTS): Promise<void> {
  t.type(query);
  vi.advanceTimersByTime(150);
  t.suggestCalls().at(-1)!.resolve({ suggestions: results });
  await Promise.resolve();
}

/** Widgets of finished tests would otherwise keep watching the shared document. */
const live: AddressWidget[] = [];
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  live.splice(0).forEach((w) => w.destroy());
  vi.useRealTimers();
  document.body.innerHTML = '';
  document.head.innerHTML = '';
});

describe('combobox in a card', () => {
  it('debounces typing: one request after the pause, none under the minimum length', () => {
    const t = setup();
    t.type('Са');
    vi.advanceTimersByTime(500);
    expect(t.suggestCalls()).toHaveLength(0);
    t.type('Сам');
    t.type('Сама');
    t.type('Самар');
    vi.advanceTimersByTime(149);
    expect(t.suggestCalls()).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(t.suggestCalls()).toHaveLength(1);
    expect(t.suggestCalls()[0].params).toMatchObject({ q: 'Самар', count: 7 }); // as many as are shown: no list is made in the page
  });

  it('drops a stale answer and aborts the request in flight', () => {
    const t = setup();
    t.type('Самар');
    vi.advanceTimersByTime(150);
    const first = t.suggestCalls()[0] as Call & { deferred: { aborted: boolean } };
    t.type('Самара Авр');
    vi.advanceTimersByTime(150);
    expect(first.deferred.aborted).toBe(true);
    first.resolve({ suggestions: [house('Самарканд', '1')] }); // late answer to the old query
    expect(t.options()).not.toContain('Самарканд');
    t.suggestCalls()[1].resolve({ suggestions: RESULTS });
    return Promise.resolve().then(() => expect(t.options()).toEqual(RESULTS.map((r) => r.value)));
  });

  it('shows a loading state, then results with the typed part highlighted, with ARIA state', async () => {
    const t = setup();
    t.type('Самара Авр');
    vi.advanceTimersByTime(150);
    // The loading line is not an option, so it is not in the listbox: the listbox stays closed.
    expect(t.list().hidden).toBe(true);
    expect(t.input.getAttribute('aria-expanded')).toBe('false');
    const status = document.querySelector<HTMLElement>('.amo-address__status')!;
    expect(status.hidden).toBe(false);
    expect(status.textContent).toBe('Searching…');
    t.suggestCalls()[0].resolve({ suggestions: RESULTS });
    await Promise.resolve();
    expect(status.hidden).toBe(true);
    expect(t.list().hidden).toBe(false);
    // Screen readers hear how many arrived, from a polite live region.
    const live = document.querySelector<HTMLElement>('.amo-address__live')!;
    expect(live.getAttribute('role')).toBe('status');
    expect(live.getAttribute('aria-live')).toBe('polite');
    expect(live.textContent).toBe('3 addresses: choose with the up and down arrows');
    expect([...t.list().children].every((li) => li.getAttribute('role') === 'option')).toBe(true);
    expect(t.input.getAttribute('role')).toBe('combobox');
    expect(t.input.getAttribute('aria-expanded')).toBe('true');
    expect(t.input.getAttribute('aria-controls')).toBe(t.list().id);
    expect(t.input.getAttribute('autocomplete')).toBe(AUTOCOMPLETE_OFF);
    expect(t.list().getAttribute('role')).toBe('listbox');
    expect([...t.list().querySelectorAll('strong')].map((s) => s.textContent)).toEqual(['Самара', 'Авр', 'Самара', 'Авр', 'Самара', 'Авр']);
    // After a pick the closed list's count is not read out again ("3 addresses: choose…").
    t.key('ArrowDown');
    t.key('Enter');
    expect(t.list().hidden).toBe(true);
    expect(live.textContent).toBe('');
  });

  it('says when nothing is found', async () => {
    const t = setup();
    t.type('Ыыыыы');
    vi.advanceTimersByTime(150);
    t.suggestCalls()[0].resolve({ suggestions: [] });
    await Promise.resolve();
    expect(t.list().hidden).toBe(true); // an empty listbox is not shown
    expect(document.querySelector('.amo-address__status')!.textContent).toContain('Nothing found');
    expect(document.querySelector('.amo-address__live')!.textContent).toContain('Nothing found');
  });

  it('counts in the reader’s language with its plural forms', () => {
    const ruT = translator(ru);
    expect([1, 2, 5, 11, 21, 22].map((n) => resultsText(ruT, n).split(':')[0])).toEqual(['1 адрес', '2 адреса', '5 адресов', '11 адресов', '21 адрес', '22 адреса']);
    const enT = translator(en);
    expect([1, 2, 21].map((n) => resultsText(enT, n).split(':')[0])).toEqual(['1 address', '2 addresses', '21 addresses']);
  });

  it('Down, Down, Enter picks the second item, sets the value and fires the events amoCRM listens to', async () => {
    const t = setup();
    const nativeInputs: string[] = [];
    t.input.addEventListener('input', () => nativeInputs.push(t.input.value));
    await showResults(t, 'Самара Авр');
    t.key('ArrowDown');
    expect(t.input.getAttribute('aria-activedescendant')).toBe(`${t.list().id}-0`);
    t.key('ArrowDown');
    expect(t.list().querySelectorAll('[aria-selected="true"]')).toHaveLength(1);
    expect(t.input.value).toBe(RESULTS[1].value); // preview
    const enter = t.key('Enter');
    expect(enter.defaultPrevented).toBe(true);
    expect(t.input.value).toBe(RESULTS[1].value);
    expect(t.list().hidden).toBe(true);
    expect(t.input.getAttribute('aria-expanded')).toBe('false');
    expect(nativeInputs.at(-1)).toBe(RESULTS[1].value);
    expect(t.jqueryEvents).toEqual(['CFV[762381]:input', 'CFV[762381]:controls:change']);
  });

  it('Escape restores what was typed, closes the list and aborts', async () => {
    const t = setup();
    await showResults(t, 'Самара Авр');
    t.key('ArrowDown');
    expect(t.input.value).toBe(RESULTS[0].value);
    const esc = t.key('Escape');
    expect(esc.defaultPrevented).toBe(true);
    expect(t.input.value).toBe('Самара Авр');
    expect(t.list().hidden).toBe(true);
  });

  it('Tab picks the highlighted item', async () => {
    const t = setup();
    await showResults(t, 'Самара Авр');
    t.key('ArrowDown');
    t.key('ArrowDown');
    t.key('ArrowDown');
    t.key('Tab');
    expect(t.input.value).toBe(RESULTS[2].value);
  });

  it('picking a street keeps the list open with ", " after it and asks for its houses at once', async () => {
    const t = setup();
    t.type('Самара Авр');
    vi.advanceTimersByTime(150);
    const street: Suggestion = { value: 'Самара, ул Авроры', unrestricted_value: '', data: data({ street: 'ул Авроры' }), source: 'local' };
    t.suggestCalls()[0].resolve({ suggestions: [street] });
    await Promise.resolve();
    t.list().querySelector('li')!.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, cancelable: true }));
    expect(t.input.value).toBe('Самара, ул Авроры, ');
    expect(t.suggestCalls()).toHaveLength(2); // no debounce wait
    expect(t.suggestCalls()[1].params.q).toBe('Самара, ул Авроры, ');
    // The backend answers "<street>, " with the street's houses: the list moves on, never loops.
    t.suggestCalls()[1].resolve({ suggestions: RESULTS });
    await Promise.resolve();
    expect(t.options()).toEqual(RESULTS.map((r) => r.value));
    expect(t.list().dataset.query).toBe('Самара, ул Авроры, ');
  });

  it('resolves a chosen house once for postal code and coordinates and keeps them', async () => {
    const t = setup();
    await showResults(t, 'Самара Авр');
    t.key('ArrowDown');
    t.key('Enter');
    const resolveCall = t.calls.find((c) => c.path === '/api/address/resolve')!;
    expect(resolveCall.params.q).toBe(RESULTS[0].value);
    resolveCall.resolve({ suggestion: { ...RESULTS[0], data: data({ street: 'ул Авроры', house: '110', postal_code: '443017', lat: 53.18, lon: 50.19 }) } });
    await vi.waitFor(() => expect(t.widget.chosen.get('762381')?.data).toMatchObject({ postal_code: '443017', lat: 53.18, house: '110' }));
    expect(t.calls.filter((c) => c.path === '/api/address/resolve')).toHaveLength(1);
    await vi.waitFor(() => expect(t.calls.some((c) => c.path === '/api/address/remember')).toBe(true));
  });

  async function answered(t: ReturnType<typeof setup>, typed: string, suggestions: Suggestion[], note?: unknown) {
    t.type(typed);
    vi.advanceTimersByTime(150);
    t.suggestCalls().at(-1)!.resolve(note ? { suggestions, note } : { suggestions });
    await Promise.resolve();
  }

  it('the same text again (case, ё and spaces aside) is answered from the page, without a second request', async () => {
    const t = setup();
    await answered(t, 'Самар', RESULTS);
    t.type('Самара');
    vi.advanceTimersByTime(150);
    t.type('САМАР');
    vi.advanceTimersByTime(150);
    expect(t.suggestCalls()).toHaveLength(2);
    expect(t.options()).toEqual(RESULTS.map((r) => r.value));
    expect(t.list().dataset.query).toBe('САМАР');
  });

  it('a longer text is never answered with a list filtered in the page: the old list stays marked as the old text’s until the backend answers', async () => {
    const t = setup();
    await answered(t, 'Самара Авроры', RESULTS); // 3 rows: the page does not take them for every match
    t.type('Самара Авроры 112');
    expect(t.list().dataset.query).toBe('Самара Авроры'); // what is shown still says which text it answers
    expect(t.options()).toEqual(RESULTS.map((r) => r.value));
    vi.advanceTimersByTime(150);
    expect(t.suggestCalls()).toHaveLength(2);
    t.suggestCalls()[1].resolve({ suggestions: [RESULTS[1]] });
    await Promise.resolve();
    expect(t.options()).toEqual([RESULTS[1].value]);
    expect(t.list().dataset.query).toBe('Самара Авроры 112');
  });

  it('a space or a comma makes another text: the backend answers it (a street followed by a comma lists its houses)', async () => {
    const t = setup();
    await answered(t, 'Самара', RESULTS);
    t.type('Самара,');
    t.type('Самара, ');
    vi.advanceTimersByTime(500);
    expect(t.suggestCalls()).toHaveLength(2);
    expect(t.suggestCalls()[1].params.q).toBe('Самара, ');
    // Typed again while its request is on its way: the same request answers it.
    t.type('Самара, Авр');
    vi.advanceTimersByTime(150);
    t.type('Самара, Ав');
    t.type('Самара, Авр');
    vi.advanceTimersByTime(500);
    expect(t.suggestCalls()).toHaveLength(3);
    t.suggestCalls()[2].resolve({ suggestions: RESULTS });
    await Promise.resolve();
    expect(t.list().dataset.query).toBe('Самара, Авр');
  });

  it('waits out a word being typed, asks soon after a separator and at once for a house number', () => {
    const d = { word: 300, separator: 150, house: 50 };
    expect(debounceFor('москва рустав', d)).toBe(300);
    expect(debounceFor('москва руставели ', d)).toBe(150);
    expect(debounceFor('москва руставели,', d)).toBe(150);
    for (const text of ['москва руставели 1', 'москва руставели 12а', 'руставели д.1', 'руставели 12 к', 'руставели 12 корп 1', 'руставели 30/2', 'аргуновская 18 кв 5']) expect(debounceFor(text, d), text).toBe(50);
    expect(debounceFor('2-я новоостанкинская', d)).toBe(300);
  });

  it('says when the house is not in the data (the street and its nearest houses are listed) and when a settlement has no streets', async () => {
    const t = setup();
    await answered(t, 'Самара Авроры 5', RESULTS, { code: 'house_not_found', house: '5', street: 'Самара, ул Авроры' });
    expect([...document.querySelectorAll('.amo-address__item')].map((li) => li.textContent)).toEqual(RESULTS.map((r) => r.value));
    // In the popup, as its first row: a disabled option, never highlighted or picked.
    const caption = document.querySelector('.amo-address__list .amo-address__caption')!;
    expect(caption.textContent).toBe("House 5 is not in the server's data: here are the street and its nearest houses");
    expect(caption.getAttribute('aria-disabled')).toBe('true');
    t.key('ArrowDown');
    expect(t.input.value).toBe(RESULTS[0].value);
    expect(document.querySelector('.amo-address__live')!.textContent).toContain('House 5 is not');
    const kazan: Suggestion = { value: 'Казань', unrestricted_value: 'Россия, Казань', data: data({ city: 'Казань' }), source: 'local' };
    await answered(t, 'казань баумана 10', [kazan], { code: 'no_streets', settlement: 'Казань' });
    expect([...document.querySelectorAll('.amo-address__item')].map((li) => li.textContent)).toEqual(['Казань']);
    expect(document.querySelector('.amo-address__caption')!.textContent).toBe('The server has no streets of “Казань” yet: pick the settlement or type the address by hand');
    expect(document.querySelector('.amo-address__status')!.textContent).not.toContain('spelling');
    await answered(t, 'Самара Авроры 110', [RESULTS[0]]);
    expect(document.querySelector('.amo-address__caption')).toBeNull(); // the note was about the older list
  });

  it('attaching twice never doubles handlers; destroy removes everything and restores the input', async () => {
    const t = setup();
    t.widget.bindActions();
    t.widget.bindActions();
    expect(document.querySelectorAll('.amo-address__list')).toHaveLength(1);
    expect(document.querySelectorAll('#amo-address-style')).toHaveLength(1);
    t.type('Самар');
    vi.advanceTimersByTime(150);
    expect(t.suggestCalls()).toHaveLength(1);
    t.widget.destroy();
    expect(document.querySelector('.amo-address__list')).toBeNull();
    expect(document.querySelector('#amo-address-style')).toBeNull();
    expect(t.input.hasAttribute('role')).toBe(false);
    expect(t.input.hasAttribute('autocomplete')).toBe(false);
    t.type('Самара');
    vi.advanceTimersByTime(500);
    expect(t.suggestCalls()).toHaveLength(1);
  });

  it('attaches to an address field that appears after a re-render, and only to configured fields', async () => {
    const t = setup({ settings: { field_ids: '762381, 555' } });
    expect(t.widget.fields.size).toBe(1);
    const added = document.createElement('input');
    added.name = 'CFV[555]';
    document.getElementById('card_holder')!.append(added);
    await vi.waitFor(() => expect(t.widget.fields.size).toBe(2));
    expect(document.querySelector('[name="CFV[100]"]')!.hasAttribute('role')).toBe(false);
  });

  it('backend down: the field stays a plain input with a small notice, nothing thrown', async () => {
    const t = setup();
    t.type('Самар');
    vi.advanceTimersByTime(150);
    t.suggestCalls()[0].reject({ status: 0 });
    await Promise.resolve();
    await Promise.resolve();
    expect(t.list().hidden).toBe(true);
    expect(document.querySelector('.amo-address__notice')!.textContent).toContain('unavailable');
    expect(t.input.value).toBe('Самар'); // the typed text is untouched
    t.type('Самара'); // a network failure passes: the next pause asks again (unlike reconnect_required)
    vi.advanceTimersByTime(150);
    expect(t.suggestCalls()).toHaveLength(2);
  });

  it('reconnect required: suggestions stop and the notice says an admin must reconnect', async () => {
    const t = setup();
    t.type('Самар');
    vi.advanceTimersByTime(150);
    t.suggestCalls()[0].reject({ status: 409, responseJSON: { error: { code: 'reconnect_required' } } });
    await Promise.resolve();
    await Promise.resolve();
    expect(document.querySelector('.amo-address__notice')!.textContent).toContain('connected again');
    t.type('Самара');
    vi.advanceTimersByTime(500);
    expect(t.suggestCalls()).toHaveLength(1);
  });
});

describe('write-back on Save', () => {
  it('posts the chosen address with its parts when the card is saved, once per Save, and not after destroy', async () => {
    (globalThis as unknown as { APP: unknown }).APP = { getBaseEntity: () => 'leads', data: { current_card: { id: 4242 } } };
    try {
      const t = setup();
      document.getElementById('card_holder')!.insertAdjacentHTML('beforeend', '<button id="save_and_close_contacts_link">Save</button>');
      await showResults(t, 'Самара Авр');
      t.key('ArrowDown');
      t.key('Enter');
      t.calls.find((c) => c.path === '/api/address/resolve')!.resolve({ suggestion: { ...RESULTS[0], data: data({ street: 'ул Авроры', house: '110', postal_code: '443017' }) } });
      await vi.waitFor(() => expect(t.widget.chosen.size).toBe(1));
      document.getElementById('save_and_close_contacts_link')!.click();
      const writes = t.calls.filter((c) => c.path === '/api/amocrm/leads/4242/address');
      expect(writes).toHaveLength(1);
      expect(writes[0].params).toMatchObject({ fieldId: 762381, value: RESULTS[0].value, data: { postal_code: '443017' } });
      t.input.value = 'Другой адрес'; // edited by hand after the pick: nothing to write back
      document.getElementById('save_and_close_contacts_link')!.click();
      expect(t.calls.filter((c) => c.path === '/api/amocrm/leads/4242/address')).toHaveLength(1);
      t.input.value = RESULTS[0].value;
      t.widget.destroy();
      document.getElementById('save_and_close_contacts_link')!.click();
      expect(t.calls.filter((c) => c.path === '/api/amocrm/leads/4242/address')).toHaveLength(1);
    } finally {
      delete (globalThis as unknown as { APP?: unknown }).APP;
    }
  });

  it("says in the card when amoCRM's rights refuse the write", () =>
    withApp(leadCard(4242), async () => {
      const t = setup();
      document.getElementById('card_holder')!.insertAdjacentHTML('beforeend', '<button id="save_and_close_contacts_link">Save</button>');
      await pickFirstAndSave(t);
      t.calls.find((c) => c.path === '/api/amocrm/leads/4242/address')!.reject({ status: 403, responseJSON: { error: { code: 'no_rights', message: '…' } } });
      await vi.waitFor(() => expect(document.querySelector('.amo-address__notice')?.textContent).toContain('does not let you change this card'));
      expect(document.querySelector('.amo-address__notice')!.getAttribute('role')).toBe('status');
    }));
});

describe('engine errors', () => {
  it('stops asking only for the account-state codes an admin must act on', () => {
    expect(new BackendError(409, 'reconnect_required').blocksSuggestions).toBe(true);
    expect(new BackendError(409, 'account_not_connected').blocksSuggestions).toBe(true);
    expect(new BackendError(0, 'network_error').blocksSuggestions).toBe(false);
    expect(new BackendError(429, 'rate_limited').blocksSuggestions).toBe(false);
    expect(new BackendError(401, 'token_expired').blocksSuggestions).toBe(false);
  });
});

describe('settings page', () => {
  it('refuses malformed field ids and numbers on save, accepts good ones', () => {
    const t = setup();
    document.body.insertAdjacentHTML('beforeend', '<div class="amo-address-settings"></div>');
    expect(t.widget.validateSettings({ field_ids: '762381, abc' })).toBe(false);
    expect(document.querySelector('.amo-address-settings')!.textContent).toContain('Field IDs must be numbers');
    expect(t.widget.validateSettings({ field_ids: '762381', count: '50' })).toBe(false);
    expect(t.widget.validateSettings({ field_ids: '762381, 762383', min_chars: '2', count: '10' })).toBe(true);
  });

  it('shows the connection state and a connect button when not connected', async () => {
    const t = setup();
    const modal = document.createElement('div');
    t.widget.renderSettings([modal]);
    const call = t.calls.find((c) => c.path === '/api/widget/status')!;
    call.resolve({ mode: 'amocrm', connected: false, status: 'not_connected' });
    await vi.waitFor(() => expect(modal.textContent).toContain('not connected yet'));
    expect(modal.querySelector('a')!.getAttribute('href')).toBe('http://backend.test/api/auth/amocrm/start');
  });
});

const withApp = async (app: unknown, run: () => Promise<void>) => {
  (globalThis as unknown as { APP: unknown }).APP = app;
  try {
    await run();
  } finally {
    delete (globalThis as unknown as { APP?: unknown }).APP;
  }
};
const leadCard = (id: number) => ({ getWidgetsArea: () => 'leads_card', getBaseEntity: () => 'leads', data: { current_card: { id } } });

describe('the card is never shown a value it was not told about', () => {
  it('leaving the field with a highlighted item picks it exactly as a click does', async () => {
    const t = setup();
    await showResults(t, 'Самара Авр');
    t.key('ArrowDown');
    t.key('ArrowDown');
    t.input.blur();
    expect(t.input.value).toBe(RESULTS[1].value);
    expect(t.jqueryEvents).toEqual(['CFV[762381]:input', 'CFV[762381]:controls:change']);
    expect(t.calls.filter((c) => c.path === '/api/address/resolve')).toHaveLength(1);
    expect(t.list().hidden).toBe(true);
  });

  it('leaving the field with nothing highlighted keeps the typed text when several suggestions match, and fires nothing', async () => {
    const t = setup();
    await showResults(t, 'Самара Авр');
    t.input.blur();
    expect(t.input.value).toBe('Самара Авр');
    expect(t.jqueryEvents).toEqual([]);
  });

  it('leaving the field with nothing highlighted takes the one suggestion that matches what was typed (as DaData)', async () => {
    const t = setup();
    await showResults(t, 'самара авроры 112');
    t.input.blur();
    expect(t.input.value).toBe(RESULTS[1].value);
    expect(t.jqueryEvents).toEqual(['CFV[762381]:input', 'CFV[762381]:controls:change']);
    expect(t.list().hidden).toBe(true);
  });

  it('Enter with nothing highlighted picks the one suggestion matching the typed words, else keeps the text', async () => {
    const t = setup();
    await showResults(t, 'самара авроры 112');
    const enter = t.key('Enter');
    expect(enter.defaultPrevented).toBe(true);
    expect(t.input.value).toBe(RESULTS[1].value);
    vi.advanceTimersByTime(1000);
    expect(t.list().hidden).toBe(true); // picking never re-opens the list
    expect(t.suggestCalls()).toHaveLength(1);

    await showResults(t, 'самара авроры');
    t.key('Enter');
    expect(t.input.value).toBe('самара авроры'); // three houses match: nothing is chosen
  });

  it('Enter never reaches an address textarea as a newline', () => {
    const t = setup({ html: '<div id="card_holder"><textarea name="CFV[762381]"></textarea></div>' });
    expect(t.key('Enter').defaultPrevented).toBe(true);
  });
});

describe('robust when amoCRM does not call destroy', () => {
  it('a second instance never attaches to the same input: one list, one request per pause', async () => {
    const t = setup();
    const second = new AddressWidget({ defaultBackendUrl: 'http://backend.test', settings: () => ({ field_ids: '762381' }), area: () => 'lcard', langs: () => en, authorizedAjax: () => t.ajax as never, jquery: () => undefined });
    second.bindActions();
    live.push(second);
    expect(second.fields.size).toBe(0);
    expect(document.querySelectorAll('.amo-address__list')).toHaveLength(1);
    t.type('Самар');
    vi.advanceTimersByTime(150);
    expect(t.suggestCalls()).toHaveLength(1);
  });

  it('follows the current card when amoCRM swaps cards in its single-page app', async () => {
    const t = setup();
    document.body.innerHTML = '<div id="card_holder"><input name="CFV[762381]" id="next"></div>';
    await vi.waitFor(() => expect([...t.widget.fields.keys()].map((c) => c.id)).toEqual(['next']));
    expect(document.getElementById('next')!.getAttribute('role')).toBe('combobox');
  });
});

describe('onSave as amoCRM documents it', () => {
  it('validates what get_settings (or the modal form) holds, and never blocks switching the widget off', () => {
    const good = setup();
    expect(good.widget.onSave()).toBe(true);
    const bad = setup({ settings: { field_ids: 'abc' } });
    expect(bad.widget.onSave()).toBe(false);
    expect(bad.widget.onSave({ active: 'N' })).toBe(true);
    const off = setup({ settings: { field_ids: 'abc', active: 'N' } });
    expect(off.widget.onSave()).toBe(true);
    // Saved as active with settings that no longer pass: switching off still succeeds.
    const wasOn = setup({ settings: { field_ids: 'abc', active: 'Y' } });
    expect(wasOn.widget.onSave()).toBe(false);
    expect(wasOn.widget.onSave({ active: 'N' })).toBe(true);
  });

  it('the stylesheet stays while any instance lives: an old instance destroyed after a new one took over leaves it', () => {
    const first = setup();
    const second = setup({ keepDom: true });
    expect(document.querySelectorAll('#amo-address-style')).toHaveLength(1);
    first.widget.destroy();
    expect(document.getElementById('amo-address-style')).not.toBeNull();
    second.widget.destroy();
    expect(document.getElementById('amo-address-style')).toBeNull();
  });

  it('reads the modal’s own form: what the admin is about to save', () => {
    const t = setup();
    const modal = document.createElement('div');
    modal.innerHTML = '<form><div class="body"></div><input name="field_ids" value="12, x"></form>';
    document.body.append(modal);
    t.widget.renderSettings([modal.querySelector('.body')]);
    expect(t.widget.onSave()).toBe(false);
    modal.querySelector<HTMLInputElement>('[name="field_ids"]')!.value = '762381, 762391';
    expect(t.widget.onSave()).toBe(true);
  });
});

/** Picks the first suggestion, lets it resolve, presses Save: the write-back paths the widget called. */
async function pickFirstAndSave(t: ReturnType<typeof setup>): Promise<string[]> {
  await showResults(t, 'Самара Авр');
  t.key('ArrowDown');
  t.key('Enter');
  t.calls.find((c) => c.path === '/api/address/resolve')!.resolve({ suggestion: RESULTS[0] });
  await vi.waitFor(() => expect(t.widget.chosen.size).toBe(1));
  document.getElementById('save_and_close_contacts_link')!.click();
  return t.calls.filter((c) => c.path.startsWith('/api/amocrm/')).map((c) => c.path);
}

describe('the field’s own entity', () => {
  const linked = `<div id="card_holder"><div class="linked-forms__item"><form class="linked-form" action="/ajax/contacts/detail/"><input type="hidden" name="ID" value="777"><input type="hidden" name="ELEMENT_TYPE" value="1"><input name="CFV[762391]" type="text"></form></div><button id="save_and_close_contacts_link">Save</button></div>`;

  it('a linked contact’s field inside a lead card is written to that contact', () =>
    withApp(leadCard(4242), async () => {
      const t = setup({ settings: { field_ids: '762391' }, html: linked });
      expect(await pickFirstAndSave(t)).toEqual(['/api/amocrm/contacts/777/address']);
    }));

  it('a company card is recognised by getWidgetsArea, not getBaseEntity', () =>
    withApp({ getWidgetsArea: () => 'companies_card', getBaseEntity: () => 'contacts', data: { current_card: { id: 55 } } }, async () => {
      const t = setup({ html: '<div id="card_holder"><input name="CFV[762381]"><button id="save_and_close_contacts_link">Save</button></div>' });
      expect(await pickFirstAndSave(t)).toEqual(['/api/amocrm/companies/55/address']);
    }));

  it('a new card (id 0) says plainly that the parts are written after the first save, and sends nothing', () =>
    withApp(leadCard(0), async () => {
      const t = setup({ html: '<div id="card_holder"><input name="CFV[762381]"><button id="save_and_close_contacts_link">Save</button></div>' });
      await showResults(t, 'Самара Авр');
      t.key('ArrowDown');
      t.key('Enter');
      expect(document.querySelector('.amo-address__notice')!.textContent).toBe(en.address.parts_after_save);
      document.getElementById('save_and_close_contacts_link')!.click();
      expect(t.calls.filter((c) => c.path.startsWith('/api/amocrm/'))).toHaveLength(0);
    }));
});

describe('the delivery panel after a pick', () => {
  // amoCRM's RequireJS, as the card page has it: delivery.js is the built delivery/entry.ts.
  const loaded: string[] = [];
  beforeEach(() => {
    loaded.length = 0;
    (globalThis as unknown as { requirejs: unknown }).requirejs = (deps: string[], ok: (m: unknown) => void, fail: (e: unknown) => void) => {
      loaded.push(...deps);
      import('../../widget/src/delivery/entry.js').then((m) => ok(m.default), fail);
    };
  });
  afterEach(() => {
    delete (globalThis as unknown as { requirejs?: unknown }).requirejs;
    document.querySelector('input[name="lead[PRICE]"]')?.remove();
  });

  const zoned = (zone: Suggestion['data']['delivery_zone'], km: number | null = 4.2, extra: Partial<Suggestion['data']> = {}): Suggestion => {
    const d = data({ street: 'ул Авроры', house: '110', postal_code: '443017', lat: 53.1867, lon: 50.192, qc_geo: '0', verdict: 'house', delivery_zone: zone, delivery_distance_km: km, ...extra });
    const rate = zone && !zone.no_delivery ? { basis: 'zone' as const, price: zone.price, min_order: zone.min_order, free_from: zone.free_from, time: zone.time } : null;
    return { ...RESULTS[0], data: { ...d, delivery_rate: rate } };
  };
  const AURORA = { id: 3, name: 'Авроры', price: 1200, min_order: 2000, free_from: 3000, time: '60 минут', color: '#56db40', no_delivery: false };
  const budget = (value: string) => document.getElementById('card_holder')!.insertAdjacentHTML('afterbegin', `<input name="lead[PRICE]" value="${value}">`);

  async function pick(t: ReturnType<typeof setup>, suggestion: Suggestion): Promise<HTMLElement | null> {
    await showResults(t, 'Самара Авр', [suggestion]);
    t.key('ArrowDown');
    t.key('Enter');
    await vi.waitFor(() => expect(t.calls.some((c) => c.path === '/api/address/remember')).toBe(true));
    await vi.waitFor(() => expect(document.querySelector('.amo-address__delivery')).not.toBeNull());
    return document.querySelector<HTMLElement>('.amo-address__zone');
  }
  const words = (chip: HTMLElement | null) => chip?.textContent?.replace(/\u00a0/g, ' ');

  it('delivery.js is loaded once, when the first list shows, so the pick finds it there', async () => {
    const t = setup();
    await showResults(t, 'Самара Авр', [zoned(AURORA)]);
    await showResults(t, 'Самара Авро', [zoned(AURORA)]);
    expect(loaded).toEqual(['/delivery.js']);
  });

  it('prices the delivery for the lead’s budget and again when the budget changes; goes when the manager types', async () => {
    const t = setup();
    budget('3 500');
    const chip = await pick(t, zoned(AURORA));
    expect(words(chip)).toBe('Авроры · free (order ₽3,500 ≥ ₽3,000) · 60 минут · 4.2 km from the warehouse');
    expect(chip?.style.getPropertyValue('--zone-color')).toBe('#56db40');
    const input = document.querySelector<HTMLInputElement>('input[name="lead[PRICE]"]')!;
    input.value = '1500';
    input.dispatchEvent(new Event('input'));
    expect(words(document.querySelector('.amo-address__zone'))).toBe('Авроры · minimum order ₽2,000 — ₽500 short · 60 минут · 4.2 km from the warehouse');
    expect(document.querySelector('.amo-address__zone')!.className).toContain('amo-address__zone--outside');
    expect(document.querySelector('.amo-address__verdict')?.textContent).toBe('house found, its own point');
    t.type('Самара Авроры 11');
    expect(document.querySelector('.amo-address__delivery')).toBeNull();
  });

  it('without a budget names the price and its terms; warns outside every zone and in a "no delivery" zone', async () => {
    expect(words(await pick(setup(), zoned(AURORA)))).toBe('Авроры · delivery ₽1,200 · free from ₽3,000 · minimum order ₽2,000 · 60 минут · 4.2 km from the warehouse');
    live.splice(0).forEach((w) => w.destroy());
    const outside = await pick(setup(), zoned(null));
    expect(outside?.className).toContain('amo-address__zone--outside');
    expect(words(outside)).toBe('outside the delivery zones · 4.2 km from the warehouse');
    live.splice(0).forEach((w) => w.destroy());
    expect(words(await pick(setup(), zoned({ ...AURORA, name: 'Перекрыто', no_delivery: true }, null)))).toBe('no delivery: Перекрыто');
  });

  it('a house with its street’s point is a warning in words, its zone marked approximate', async () => {
    const chip = await pick(setup(), zoned({ ...AURORA, price: 0, min_order: null, free_from: null, approximate: true }, null, { qc_geo: '2', verdict: 'house_approximate' }));
    expect(words(chip)).toBe("Авроры · free · 60 минут · zone by the street's or settlement's point");
    const verdict = document.querySelector('.amo-address__verdict')!;
    expect(verdict.className).toContain('amo-address__verdict--weak');
    expect(verdict.getAttribute('role')).toBe('status');
  });

  it('the courier’s details are filled from what was typed, and an edit rewrites the field and the write-back', async () => {
    (globalThis as unknown as { APP: unknown }).APP = { getBaseEntity: () => 'leads', data: { current_card: { id: 4242 } } };
    try {
      const t = setup();
      const typed = { ...zoned(AURORA), value: 'г Самара, ул Авроры, д 110, кв 5, подъезд 2' };
      typed.data = { ...typed.data, flat_type: 'кв', flat: '5', entrance: '2' };
      await pick(t, typed);
      const input = (key: string) => document.querySelector<HTMLInputElement>(`.amo-address__details input[data-detail="${key}"]`)!;
      expect(input('flat').value).toBe('5');
      expect(input('entrance').value).toBe('2');
      expect(input('floor').value).toBe('');
      input('floor').value = '3';
      input('floor').dispatchEvent(new Event('input'));
      input('intercom').value = '12к';
      input('intercom').dispatchEvent(new Event('input'));
      input('courier_comment').value = 'позвонить за час';
      input('courier_comment').dispatchEvent(new Event('input'));
      expect(t.input.value).toBe('г Самара, ул Авроры, д 110, кв 5, подъезд 2, этаж 3, домофон 12К');
      document.getElementById('card_holder')!.insertAdjacentHTML('beforeend', '<button id="save_and_close_contacts_link">Save</button>');
      document.getElementById('save_and_close_contacts_link')!.click();
      const write = t.calls.find((c) => c.path === '/api/amocrm/leads/4242/address')!;
      expect(write.params.value).toBe('г Самара, ул Авроры, д 110, кв 5, подъезд 2, этаж 3, домофон 12К');
      expect(write.params.data).toMatchObject({ flat: '5', entrance: '2', floor: '3', intercom: '12К', courier_comment: 'позвонить за час' });
    } finally {
      delete (globalThis as unknown as { APP?: unknown }).APP;
    }
  });
});


