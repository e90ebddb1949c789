/**
 * What the widget does in amoCRM: attach autocomplete to the configured address fields of the
 * current card (idempotently, also to fields that appear later), the settings page, and clean-up.
 */
import type { WidgetStatus } from '../../contract/api.js';
import { controlEntity, fieldControls, fieldIdOf, SAVE_BUTTON, type FieldControl } from './card.js';
import { currentEntity, loadAmdModule, pageLanguage } from './amo-globals.js';
import type mountConsole from './console/entry.js';
import type { DeliveryPanelModule } from './delivery/entry.js';
import { FieldAutocomplete, guard } from './field-autocomplete.js';
import { translator, type Translate } from './i18n.js';
import { resolveSettings, settingsProblems, type SavedSettings, type WidgetSettings } from './settings.js';
import { injectStyles } from './styles.js';
import { createTransport, type AuthorizedAjax } from './transport.js';
import type { Suggestion, Transport } from './suggest.js';

export interface WidgetHost {
  defaultBackendUrl: string;
  settings(): SavedSettings & Record<string, unknown>;
  area(): string;
  langs(): unknown;
  authorizedAjax(): AuthorizedAjax | undefined;
  jquery(): ((el: unknown) => { trigger(e: string): unknown; find?: unknown; html?: unknown }) | undefined;
  debounceMs?: number;
  /** Where amoCRM serves the widget's files (`self.params.path`), for console.js. */
  path?(): string;
}

const CARD_AREAS = new Set(['lcard', 'ccard', 'comcard', 'cucard', 'leads_card', 'contacts_card', 'companies_card']);

/**
 * Which instance has a control, shared by every instance on the page: amoCRM may build a new
 * widget instance for a card without destroying the last one, and one input must never get two
 * lists and two requests per keystroke (DaData's plugin keeps the same guard on the element).
 */
function owners(): WeakMap<Element, AddressWidget> {
  const g = globalThis as unknown as Record<symbol, WeakMap<Element, AddressWidget> | undefined>;
  return (g[Symbol.for('amo-address.owners')] ??= new WeakMap());
}

export class AddressWidget {
  readonly fields = new Map<FieldControl, FieldAutocomplete>();
  /** The chosen suggestion per field id, with its resolved parts: what the write-back sends. */
  readonly chosen = new Map<string, Suggestion>();
  private observer: MutationObserver | null = null;
  /** Settings and transport for the current area, read once per bind_actions, not per DOM mutation. */
  private context: { settings: WidgetSettings; transport: Transport } | null = null;
  private removeStyles: (() => void) | null = null;
  private removeSaveHook: (() => void) | null = null;
  private settingsBody: Element | null = null;
  private attachQueued = false;
  private console: { destroy(): void } | null = null;
  /** delivery.js, once asked for (a failed load means no panel until the page loads again). */
  private delivery: Promise<DeliveryPanelModule | null> | undefined;

  constructor(private readonly host: WidgetHost) {}

  private get t(): Translate {
    return translator(this.host.langs());
  }

  /** bind_actions: attach to every configured field not attached yet. Always returns true. */
  bindActions(): true {
    guard(() => {
      const area = this.host.area();
      if (area && !CARD_AREAS.has(area)) return;
      const doc = globalThis.document;
      this.removeStyles ??= injectStyles(doc);
      const settings = resolveSettings(this.host.settings(), this.host.defaultBackendUrl);
      this.context = { settings, transport: createTransport(() => settings.backendUrl, this.host.authorizedAjax()) };
      this.attachAll(doc);
      this.removeSaveHook ??= this.hookSave(doc);
      if (!this.observer && typeof MutationObserver !== 'undefined') {
        // amoCRM re-renders parts of the card (tabs, "show more fields") and swaps whole cards in
        // its single-page app, not always calling destroy: watch the body, so a new card's
        // controls are found too; mutations are coalesced into one pass.
        this.observer = new MutationObserver(() => this.queueAttach(doc));
        this.observer.observe(doc.body, { childList: true, subtree: true });
      }
    });
    return true;
  }

  destroy(): true {
    guard(() => {
      this.observer?.disconnect();
      this.observer = null;
      for (const [control, field] of this.fields) this.release(control, field);
      this.fields.clear();
      this.removeStyles?.();
      this.removeStyles = null;
      this.removeSaveHook?.();
      this.removeSaveHook = null;
      this.console?.destroy();
      this.console = null;
    });
    return true;
  }

  /**
   * advancedSettings: the admin console on the widget's own page in amoCRM's settings. amoCRM
   * gives the page a container `#work-area-<widget_code>` (the pattern every public widget with
   * an advanced settings page follows; reference §2).
   */
  renderConsole(): true {
    guard(() => {
      const doc = globalThis.document;
      const settings = this.host.settings();
      const area = doc.getElementById(`work-area-${String(settings.widget_code ?? '')}`);
      if (!area) return;
      this.console?.destroy();
      const root = doc.createElement('div');
      root.className = 'amo-console';
      root.textContent = this.t('console.loading');
      area.replaceChildren(root);
      const resolved = resolveSettings(settings, this.host.defaultBackendUrl);
      const transport = createTransport(() => resolved.backendUrl, this.host.authorizedAjax());
      const language = pageLanguage();
      loadAmdModule<typeof mountConsole>(`${this.host.path?.() ?? ''}/console.js`)
        .then((mount) => guard(() => (this.console = mount(root, transport, this.t, language === 'en' ? 'en-GB' : language))))
        .catch(() => (root.textContent = this.t('console.failed')));
    });
    return true;
  }

  /** The settings modal: connection state from the backend, and the connect button. */
  renderSettings($modalBody: unknown): true {
    guard(() => {
      const body = toElement($modalBody);
      if (!body) return;
      this.settingsBody = body;
      const t = this.t;
      const settings = resolveSettings(this.host.settings(), this.host.defaultBackendUrl);
      body.querySelector('.amo-address-settings')?.remove();
      const box = body.ownerDocument.createElement('div');
      box.className = 'amo-address-settings';
      box.textContent = t('status.checking');
      body.prepend(box);
      const transport = createTransport(() => settings.backendUrl, this.host.authorizedAjax());
      transport('/api/widget/status', {}, new AbortController().signal)
        .then((status) => {
          const s = status as WidgetStatus;
          box.textContent = s.connected ? t('status.connected') : t(s.mode === 'amocrm' && s.status === 'reconnect_required' ? 'status.reconnect' : 'status.not_connected');
          if (!s.connected && s.mode !== 'demo') box.append(' ', connectLink(body.ownerDocument, settings.backendUrl, t));
        })
        .catch(() => {
          box.textContent = t('status.unreachable');
        });
    });
    return true;
  }

  /**
   * onSave, documented with no argument (reference §2): called on Install/Save and also when the
   * admin switches the widget off, before destroy. Switching off is never refused. Otherwise the
   * values are read from the settings modal's own form (what the admin is about to save), or
   * from `get_settings()`, and malformed field IDs or numbers are refused with a message.
   */
  onSave(arg?: unknown): boolean {
    let result = true;
    guard(() => {
      const saved = this.host.settings();
      const form = this.formValues();
      // The argument (what is being saved now) first, then the modal's form, then what was saved
      // before: switching off must win over an older 'Y'.
      const active = [(arg as { active?: unknown } | null)?.active, form.active, saved.active].find((v) => v !== undefined);
      if (active === 'N' || active === false) return;
      result = this.validateSettings({ ...(saved as Record<string, string>), ...form });
    });
    return result;
  }

  /** The settings modal's inputs by name (amoCRM renders each setting as `input[name=<key>]`). */
  private formValues(): Record<string, string> {
    const body = this.settingsBody;
    if (!body?.isConnected) return {};
    const form = body.closest('form') ?? body.closest('.widget-settings') ?? body.ownerDocument.body;
    const out: Record<string, string> = {};
    for (const el of Array.from(form.querySelectorAll<HTMLInputElement>('input[name]'))) {
      if (el.type === 'checkbox') out[el.name] = el.checked ? 'Y' : 'N';
      else if (el.type !== 'radio' || el.checked) out[el.name] = el.value;
    }
    return out;
  }

  /** Refuses malformed field IDs or numbers with a message the admin can act on. */
  validateSettings(fields: Record<string, string>): boolean {
    const problems = settingsProblems(fields);
    if (!problems.length) return true;
    guard(() => {
      const message = problems.map((p) => this.t(`status.${p}`)).join(' ');
      const box = globalThis.document.querySelector('.amo-address-settings');
      if (box) box.textContent = message;
    });
    return false;
  }

  /**
   * When the manager saves the card, the chosen addresses' parts (postal code, city,
   * coordinates) are written back by the backend into the fields the account mapped; amoCRM's
   * own Save stores the address itself. Only values still in their field are sent.
   */
  private hookSave(doc: Document): () => void {
    const onClick = (event: Event) =>
      guard(() => {
        if (!(event.target as Element | null)?.closest?.(SAVE_BUTTON) || !this.context) return;
        const card = currentEntity();
        if (!card) return;
        for (const [control] of this.fields) {
          const fieldId = fieldIdOf(control);
          const chosen = fieldId ? this.chosen.get(String(fieldId)) : undefined;
          if (!fieldId || !chosen || chosen.value !== control.value.trim()) continue;
          // The field's own entity: a linked contact's or company's field goes to that entity.
          const entity = controlEntity(control, card);
          if (entity.id <= 0) continue; // not created yet: the notice at the pick said so
          const body = { fieldId, value: chosen.value, data: chosen.data, source: chosen.source };
          const field = this.fields.get(control);
          this.context.transport(`/api/amocrm/${entity.type}/${entity.id}/address`, body, new AbortController().signal, 'POST').catch((error: unknown) => {
            // amoCRM's own rights refused the parts (the backend checks them): say so under the field.
            const code = (error as { code?: string } | null)?.code;
            if (code === 'no_rights' || code === 'rights_unverifiable') guard(() => field?.showNotice(this.t(`address.${code}`)));
          });
        }
      });
    doc.addEventListener('click', onClick, true);
    return () => doc.removeEventListener('click', onClick, true);
  }

  private queueAttach(doc: Document): void {
    if (this.attachQueued) return;
    this.attachQueued = true;
    queueMicrotask(() => {
      this.attachQueued = false;
      guard(() => this.attachAll(doc));
    });
  }

  private release(control: FieldControl, field: FieldAutocomplete): void {
    field.destroy();
    if (owners().get(control) === this) owners().delete(control);
  }

  private attachAll(doc: Document): void {
    if (!this.context) return;
    const { settings, transport } = this.context;
    for (const [control, field] of this.fields) {
      if (!control.isConnected) {
        this.release(control, field);
        this.fields.delete(control);
      }
    }
    for (const control of fieldControls(doc, settings.fieldIds)) {
      if (this.fields.has(control) || owners().has(control)) continue;
      owners().set(control, this);
      this.fields.set(
        control,
        new FieldAutocomplete(control, {
          transport,
          settings,
          t: this.t,
          jquery: this.host.jquery() as never,
          debounceMs: this.host.debounceMs,
          onChosen: (fieldId, suggestion) => this.chosen.set(fieldId, suggestion),
          delivery: () => (this.delivery ??= loadAmdModule<DeliveryPanelModule>(`${this.host.path?.() ?? ''}/delivery.js`).catch(() => null)),
          isNew: () => {
            const card = currentEntity();
            return card !== null && controlEntity(control, card).id === 0;
          },
        }),
      );
    }
  }
}

function toElement(node: unknown): Element | null {
  if (node && typeof (node as Element).querySelector === 'function') return node as Element;
  const first = (node as { 0?: unknown } | null)?.[0]; // a jQuery object
  return first && typeof (first as Element).querySelector === 'function' ? (first as Element) : null;
}

function connectLink(doc: Document, backendUrl: string, t: Translate): HTMLAnchorElement {
  const a = doc.createElement('a');
  a.href = `${backendUrl}/api/auth/amocrm/start${location.hostname.endsWith('kommo.com') ? '?platform=kommo' : ''}`;
  a.target = '_blank';
  a.rel = 'noopener';
  a.className = 'button-input button-input_blue';
  a.textContent = t('status.connect');
  return a;
}
