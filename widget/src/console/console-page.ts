/**
 * The admin console on the widget's advanced settings page in amoCRM (the `advanced_settings`
 * location, `advancedSettings` callback): connection, address fields, site keys, writes,
 * webhooks and the address book of the caller's account. Native controls only (buttons,
 * selects, inputs, a table), so it is usable by keyboard alone; every action's result is said in
 * a live region next to it. Who may act is the backend's decision (the token's is_admin): a user
 * who is not an admin sees the state without the controls.
 */
import type { ConsoleChoices, ConsoleState, ConsoleWrites } from '../../../contract/api.js';
import { fill, type I18nKey, type Translate } from '../i18n.js';
import type { BackendError } from '../suggest.js';
import type { ConsoleApi } from './console-api.js';
import { ENTITIES, FieldsForm, PARTS, type Entity } from './fields-form.js';
import { button, h } from './dom.js';
import { websiteSnippet } from './snippet.js';
import { ZonesSection } from './zones-section.js';
import { CleanSection } from './clean-section.js';

type Section = 'connection' | 'fields' | 'keys' | 'writes' | 'webhook' | 'book' | 'data';
const POLL_MS = 1500;

export class ConsolePage {
  private state: ConsoleState | null = null;
  private choices: ConsoleChoices | null = null;
  private readonly fieldsForm: FieldsForm;
  private readonly zones: ZonesSection;
  private readonly clean: CleanSection;
  private parked: ConsoleWrites | null = null;
  private newKey: { name: string; key: string } | null = null;
  private readonly messages = new Map<Section, { text: string; error: boolean }>();
  /** Why the state could not be read, in words; null when it was. */
  private failure: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly doc: Document;

  constructor(
    private readonly root: HTMLElement,
    private readonly api: ConsoleApi,
    private readonly t: Translate,
    private readonly locale: string,
  ) {
    this.doc = root.ownerDocument;
    this.fieldsForm = new FieldsForm(this.doc, t, () => this.render());
    this.zones = new ZonesSection(this.doc, t, api, locale, () => this.render());
    this.clean = new CleanSection(this.doc, t, api, locale, () => this.render());
  }

  async load(): Promise<void> {
    await this.zones.load();
    await this.refresh();
    if (this.state?.canManage && this.state.account.status === 'connected') {
      await this.loadChoices();
      await this.clean.load();
      this.render();
    }
  }

  destroy(): void {
    this.clean.destroy();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.root.replaceChildren();
  }

  /** Reads the state again (and the parked writes for an admin), then redraws; polls while work is queued. */
  private async refresh(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      this.state = await this.api.state();
      this.parked = this.state.canManage && this.state.writes.parked ? await this.api.parked() : { items: [] };
      this.failure = null;
    } catch (error) {
      this.failure = this.errorText(error);
    }
    this.render();
    const s = this.state;
    if (s && !this.failure && (s.addressBook.import?.status === 'pending' || s.webhook.queued || s.writes.pending > 0 || s.addressData.running)) {
      this.timer = setTimeout(() => void this.refresh(), POLL_MS);
    }
  }

  private async loadChoices(): Promise<void> {
    await this.act('fields', async () => {
      this.choices = await this.api.choices();
      this.fieldsForm.edit(this.choices.settings);
      return null;
    });
  }

  /** Runs an action, says how it went in the section's live region, and reads the state again. */
  private async act(section: Section, run: () => Promise<string | null>): Promise<void> {
    try {
      const said = await run();
      if (said) this.messages.set(section, { text: said, error: false });
      else this.messages.delete(section);
    } catch (error) {
      this.messages.set(section, { text: this.errorText(error), error: true });
    }
    await this.refresh();
  }

  private errorText(error: unknown): string {
    // Duck-typed: the error comes from script.js's transport, another bundle's BackendError class.
    if (!isBackendError(error) || error.status === 0) return this.t('console.failed');
    const field = error.field ? this.fieldLabel(error.field) : '';
    const own: Partial<Record<string, I18nKey>> = {
      unknown_field: 'console.fields.unknown_field',
      unsupported_field_type: 'console.fields.unsupported_field_type',
      unknown_pipeline: 'console.fields.unknown_pipeline',
      unknown_status: 'console.fields.unknown_status',
      admin_required: 'console.errors.admin_required',
      operator_required: 'console.errors.operator_required',
      data_update_not_started: 'console.errors.update_not_started',
      invalid_token: 'console.errors.invalid_token',
      token_expired: 'console.errors.invalid_token',
      auth_required: 'console.errors.invalid_token',
      reconnect_required: 'console.errors.reconnect_required',
      account_not_connected: 'console.errors.account_not_connected',
      not_configured: 'console.errors.not_configured',
      invalid_parameter: 'console.errors.invalid_parameter',
      zone_options_missing: 'console.fields.zone_options_missing',
    };
    const key = own[error.code];
    return key ? fill(this.t(key), { field, missing: (error.extra?.missing ?? []).join(', ') }) : fill(this.t('console.errors.generic'), { code: error.code });
  }

  /** "fields.leads.postalCode" → "Leads → Postal code"; "name" → "Website name". */
  private fieldLabel(path: string): string {
    const [, entity, part] = path.split('.');
    if (path.startsWith('fields.') && ENTITIES.includes(entity as Entity)) {
      return `${this.t(`console.fields.${entity as Entity}`)} → ${PARTS.includes(part as never) ? this.t(`console.fields.${part as (typeof PARTS)[number]}`) : part}`;
    }
    if (path === 'name') return this.t('console.keys.name');
    return path;
  }

  private date(iso: string | null): string {
    return iso ? new Date(iso).toLocaleString(this.locale, { dateStyle: 'medium', timeStyle: 'short' }) : this.t('console.keys.never');
  }

  private render(): void {
    // Redrawing keeps the keyboard where it was: the focused control is found again by its key.
    const focusKey = (this.doc.activeElement as HTMLElement | null)?.dataset?.key;
    const s = this.state;
    const body: Node[] = [h(this.doc, 'h1', { class: 'amo-console__title' }, this.t('console.title'))];
    if (this.failure) body.push(h(this.doc, 'p', { class: 'amo-console__error', role: 'alert' }, this.failure));
    if (!s) {
      if (!this.failure) body.push(h(this.doc, 'p', { role: 'status' }, this.t('console.loading')));
    } else {
      if (!s.canManage) body.push(h(this.doc, 'p', { class: 'amo-console__note' }, this.t('console.read_only')));
      body.push(this.connection(s), this.fields(s), this.zones.render(s.canManage), this.clean.render(s.canManage, s.account.status === 'connected', this.choices), this.keys(s), this.writes(s), this.webhook(s), this.book(s), this.data(s));
    }
    body.push(h(this.doc, 'p', {}, this.button('refresh', this.t('console.refresh'), () => void this.refresh())));
    this.root.replaceChildren(...body);
    if (focusKey) this.root.querySelector<HTMLElement>(`[data-key="${focusKey}"]`)?.focus();
  }

  private section(id: Section, title: I18nKey, ...children: Array<Node | false | null>): HTMLElement {
    const message = this.messages.get(id);
    return h(
      this.doc,
      'section',
      { class: 'amo-console__section', 'aria-labelledby': `amo-console-${id}` },
      h(this.doc, 'h2', { id: `amo-console-${id}` }, this.t(title)),
      ...children,
      h(this.doc, 'p', { class: message?.error ? 'amo-console__error' : 'amo-console__ok', role: 'status', 'aria-live': 'polite', 'data-message': id }, message?.text ?? ''),
    );
  }

  private button(key: string, text: string, onClick: () => void, options: { primary?: boolean; disabled?: boolean } = {}): HTMLButtonElement {
    return button(this.doc, key, text, onClick, options);
  }

  private connection(s: ConsoleState): HTMLElement {
    const { account } = s;
    const text =
      account.status === 'blocked' ? fill(this.t('console.connection.blocked'), { until: this.date(account.blockedUntil) }) : fill(this.t(`console.connection.${account.status}`), { subdomain: account.subdomain ?? '' });
    const link = s.canManage && s.connectUrl && account.status !== 'connected' && account.status !== 'blocked';
    return this.section(
      'connection',
      'console.connection.title',
      h(this.doc, 'p', { 'data-status': account.status }, text),
      !!account.reason && h(this.doc, 'p', { class: 'amo-console__note' }, fill(this.t('console.connection.reason'), { reason: account.reason })),
      !!link &&
        h(this.doc, 'a', { class: 'amo-console__button amo-console__button--primary', href: `${s.connectUrl}${this.doc.location?.hostname.endsWith('kommo.com') ? '?platform=kommo' : ''}`, target: '_blank', rel: 'noopener', 'data-key': 'connect' }, this.t(account.status === 'reconnect_required' ? 'console.connection.reconnect' : 'console.connection.connect')),
    );
  }

  private fields(s: ConsoleState): HTMLElement {
    const intro = h(this.doc, 'p', { class: 'amo-console__note' }, this.t('console.fields.intro'));
    if (!s.canManage || s.account.status !== 'connected') return this.section('fields', 'console.fields.title', intro);
    const choices = this.choices;
    if (!choices) return this.section('fields', 'console.fields.title', intro, this.button('load-fields', this.t('console.fields.load'), () => void this.loadChoices()));
    const form = this.fieldsForm.render(choices);
    const save = this.button('save-fields', this.t('console.fields.save'), () => void this.act('fields', async () => (await this.api.saveSettings(this.fieldsForm.draft), this.t('console.fields.saved'))), { primary: true });
    return this.section('fields', 'console.fields.title', intro, ...form, h(this.doc, 'p', {}, save));
  }

  private keys(s: ConsoleState): HTMLElement {
    const parts: Array<Node | false> = [h(this.doc, 'p', { class: 'amo-console__note' }, this.t('console.keys.intro'))];
    if (s.canManage) {
      const name = h(this.doc, 'input', { id: 'amo-console-key-name', 'data-key': 'key-name', maxlength: 100, autocomplete: 'off' });
      // The sites whose pages may use the key in a browser (DaData's plugin pointed at us, docs/dadata-api.md).
      const origins = h(this.doc, 'input', { id: 'amo-console-key-origins', 'data-key': 'key-origins', maxlength: 600, autocomplete: 'off', placeholder: 'https://shop.example' });
      const create = () => void this.act('keys', async () => {
        const created = await this.api.createSiteKey(name.value, origins.value);
        this.newKey = { name: created.name, key: created.key };
        return this.t('console.keys.created');
      });
      name.addEventListener('keydown', (e) => e.key === 'Enter' && create());
      parts.push(h(this.doc, 'p', { class: 'amo-console__row' }, h(this.doc, 'label', { for: 'amo-console-key-name' }, this.t('console.keys.name')), name, this.button('create-key', this.t('console.keys.create'), create, { primary: true })));
      parts.push(h(this.doc, 'p', { class: 'amo-console__row' }, h(this.doc, 'label', { for: 'amo-console-key-origins' }, this.t('console.keys.origins')), origins));
    }
    if (this.newKey) {
      const shown = h(this.doc, 'input', { id: 'amo-console-new-key', class: 'amo-console__key', readonly: true, value: this.newKey.key, 'data-key': 'new-key', 'aria-label': this.newKey.name });
      parts.push(h(this.doc, 'p', { class: 'amo-console__row' }, shown, this.button('copy-key', this.t('console.keys.copy'), () => void this.copy(shown))));
    }
    if (!s.siteKeys.length) parts.push(h(this.doc, 'p', {}, this.t('console.keys.none')));
    else {
      const th = (key: I18nKey) => h(this.doc, 'th', { scope: 'col' }, this.t(key));
      const rows = s.siteKeys.map((k) =>
        h(
          this.doc,
          'tr',
          { 'data-site-key': k.id },
          h(this.doc, 'td', {}, k.name),
          h(this.doc, 'td', {}, this.date(k.createdAt)),
          h(this.doc, 'td', {}, this.date(k.lastUsedAt)),
          h(this.doc, 'td', {}, this.t(k.revokedAt ? 'console.keys.revoked' : 'console.keys.active')),
          h(this.doc, 'td', {}, s.canManage && !k.revokedAt && this.button(`revoke-${k.id}`, this.t('console.keys.revoke'), () => void this.act('keys', async () => (await this.api.revokeSiteKey(k.id), (this.newKey = null))))),
        ),
      );
      parts.push(h(this.doc, 'table', { class: 'amo-console__table' }, h(this.doc, 'thead', {}, h(this.doc, 'tr', {}, th('console.keys.col_name'), th('console.keys.col_created'), th('console.keys.col_used'), th('console.keys.col_state'), h(this.doc, 'th', {}))), h(this.doc, 'tbody', {}, ...rows)));
    }
    parts.push(
      h(this.doc, 'details', { class: 'amo-console__snippet' }, h(this.doc, 'summary', { 'data-key': 'snippet' }, this.t('console.keys.snippet')), h(this.doc, 'pre', {}, websiteSnippet(s.intakeUrl, this.newKey?.key ?? this.t('console.keys.your_key')))),
    );
    return this.section('keys', 'console.keys.title', ...parts);
  }

  private async copy(input: HTMLInputElement): Promise<void> {
    try {
      await globalThis.navigator.clipboard.writeText(input.value);
    } catch {
      input.select();
      this.doc.execCommand?.('copy');
    }
    this.messages.set('keys', { text: this.t('console.keys.copied'), error: false });
    this.render();
  }

  private writes(s: ConsoleState): HTMLElement {
    const counts = h(this.doc, 'p', { 'data-counts': 'writes' }, fill(this.t('console.writes.counts'), s.writes));
    const full = s.writes.pending >= s.writes.limit && h(this.doc, 'p', { class: 'amo-console__error', 'data-writes': 'full' }, fill(this.t('console.writes.full'), { limit: s.writes.limit }));
    if (!s.canManage) return this.section('writes', 'console.writes.title', counts, full);
    const items = this.parked?.items ?? [];
    const list = items.length
      ? h(
          this.doc,
          'ul',
          { class: 'amo-console__list' },
          ...items.map((i) =>
            h(
              this.doc,
              'li',
              { 'data-parked': i.id },
              h(this.doc, 'strong', {}, `#${i.id} ${i.kind}`),
              ` · ${fill(this.t('console.writes.attempts'), { count: i.attempts })} · ${this.date(i.updatedAt)}`,
              h(this.doc, 'div', { class: 'amo-console__error' }, i.error ?? ''),
              this.button(`retry-${i.id}`, this.t('console.writes.retry'), () => void this.act('writes', async () => fill(this.t('console.writes.retried'), { count: (await this.api.retry(i.id)).retried }))),
            ),
          ),
        )
      : h(this.doc, 'p', {}, this.t('console.writes.none_parked'));
    const all = items.length > 1 && this.button('retry-all', this.t('console.writes.retry_all'), () => void this.act('writes', async () => fill(this.t('console.writes.retried'), { count: (await this.api.retry()).retried })));
    return this.section('writes', 'console.writes.title', counts, full, h(this.doc, 'p', { class: 'amo-console__note' }, this.t('console.writes.parked_intro')), list, all);
  }

  private webhook(s: ConsoleState): HTMLElement {
    const { subscribed, queued } = s.webhook;
    const text = this.t(subscribed === null ? 'console.webhook.unknown' : subscribed ? 'console.webhook.subscribed' : 'console.webhook.not_subscribed');
    const canAct = s.canManage && s.account.status === 'connected' && !queued;
    return this.section(
      'webhook',
      'console.webhook.title',
      h(this.doc, 'p', { 'data-webhook': subscribed === null ? 'unknown' : String(subscribed) }, text),
      queued && h(this.doc, 'p', { class: 'amo-console__note' }, this.t('console.webhook.queued')),
      canAct && subscribed !== true && this.button('subscribe', this.t('console.webhook.subscribe'), () => void this.act('webhook', async () => (await this.api.setWebhook(true), null)), { primary: true }),
      canAct && subscribed !== false && this.button('unsubscribe', this.t('console.webhook.unsubscribe'), () => void this.act('webhook', async () => (await this.api.setWebhook(false), null))),
    );
  }

  private book(s: ConsoleState): HTMLElement {
    const run = s.addressBook.import;
    const parts: Array<Node | false> = [h(this.doc, 'p', { 'data-count': 'book' }, fill(this.t('console.book.count'), { count: s.addressBook.count }))];
    if (run) {
      const done = run.status === 'done' ? run.of : run.step;
      parts.push(h(this.doc, 'progress', { max: run.of, value: done, 'aria-label': this.t('console.book.title'), 'data-progress': run.status }));
      const said = run.status === 'pending' ? 'console.book.importing' : run.status === 'done' ? 'console.book.imported' : 'console.book.import_failed';
      parts.push(h(this.doc, 'p', { class: run.status === 'parked' ? 'amo-console__error' : '' }, fill(this.t(said), { step: Math.min(run.step + 1, run.of), of: run.of, read: run.read, error: run.error ?? '' })));
    }
    if (s.canManage) {
      parts.push(
        h(
          this.doc,
          'p',
          { class: 'amo-console__row' },
          s.account.status === 'connected' && this.button('import-book', this.t('console.book.import'), () => void this.act('book', async () => (await this.api.importAddressBook(), null)), { primary: true, disabled: run?.status === 'pending' }),
          this.button('clear-book', this.t('console.book.clear'), () => {
            if (!globalThis.confirm(this.t('console.book.confirm_clear'))) return;
            void this.act('book', async () => fill(this.t('console.book.cleared'), { count: (await this.api.clearAddressBook()).removed }));
          }),
        ),
      );
    }
    return this.section('book', 'console.book.title', ...parts);
  }

  /** The server's address data: what it covers and how current it is; an operator account may update it. */
  private data(s: ConsoleState): HTMLElement {
    const d = s.addressData;
    const n = (v: number) => v.toLocaleString(this.locale);
    const p = (text: string, attrs: Record<string, string> = {}) => h(this.doc, 'p', attrs, text);
    const parts: Array<Node | false> = [];
    if (!d.sources.openStreetMap.length && !d.sources.registry) parts.push(p(this.t('console.data.none'), { 'data-data': 'none' }));
    if (d.regions.length) parts.push(p(fill(this.t('console.data.regions'), { regions: d.regions.join(', ') })));
    for (const o of d.sources.openStreetMap) parts.push(p(fill(this.t('console.data.osm'), { extract: o.extract, date: this.date(o.importedAt), houses: n(o.houses) })));
    if (d.sources.registry) {
      const regions = Object.entries(d.sources.registry.regions).map(([code, version]) => `${code} (${version})`).join(', ');
      parts.push(p(fill(this.t('console.data.registry'), { release: d.sources.registry.release ?? (Object.values(d.sources.registry.regions).sort().pop() || '—'), regions }), { 'data-data': 'registry' }));
    }
    const c = d.counts;
    parts.push(p(fill(this.t('console.data.counts'), { settlements: n(c.settlements), streets: n(c.streets), houses: n(c.houses), withPostcode: n(c.withPostcode), withPoint: n(c.withPoint) }), { 'data-data': 'counts' }));
    if (d.running) parts.push(h(this.doc, 'p', { role: 'status' }, fill(this.t('console.data.running'), { what: d.running.what, step: d.running.step })));
    if (d.lastUpdate) parts.push(h(this.doc, 'p', { class: d.lastUpdate.ok ? '' : 'amo-console__error' }, fill(this.t(d.lastUpdate.ok ? 'console.data.last_ok' : 'console.data.last_failed'), { date: this.date(d.lastUpdate.at), summary: d.lastUpdate.summary })));
    parts.push(p(d.nextUpdate ? fill(this.t('console.data.next'), { date: this.date(d.nextUpdate) }) : this.t('console.data.no_schedule')));
    if (d.canUpdate) parts.push(h(this.doc, 'p', {}, this.button('update-data', this.t('console.data.update'), () => void this.act('data', async () => (await this.api.updateAddressData(), this.t('console.data.started'))), { primary: true, disabled: !!d.running })));
    else parts.push(p(this.t('console.data.read_only'), { class: 'amo-console__note' }));
    return this.section('data', 'console.data.title', ...parts);
  }
}

function isBackendError(error: unknown): error is BackendError {
  return typeof (error as BackendError | null)?.status === 'number' && typeof (error as BackendError).code === 'string';
}
