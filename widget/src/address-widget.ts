/**
 * What the widget does in amoCRM: attach autocomplete to the configured address fields of the
 * current card (idempotently, also to fields that appear later), the settings page, and clean-up.
 */
import { cardRoot, fieldControls, SAVE_BUTTON, type FieldControl } from './card.js';
import { currentEntity } from './amo-globals.js';
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
}

const CARD_AREAS = new Set(['lcard', 'ccard', 'comcard', 'cucard', 'leads_card', 'contacts_card', 'companies_card']);

export class AddressWidget {
  readonly fields = new Map<FieldControl, FieldAutocomplete>();
  /** The chosen suggestion per field id, with its resolved parts: what the write-back sends. */
  readonly chosen = new Map<string, Suggestion>();
  private observer: MutationObserver | null = null;
  /** Settings and transport for the current area, read once per bind_actions, not per DOM mutation. */
  private context: { settings: WidgetSettings; transport: Transport } | null = null;
  private removeStyles: (() => void) | null = null;
  private removeSaveHook: (() => void) | null = null;

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
        // amoCRM re-renders parts of the card (tabs, "show more fields"): attach to new controls too.
        this.observer = new MutationObserver(() => guard(() => this.attachAll(doc)));
        this.observer.observe(cardRoot(doc), { childList: true, subtree: true });
      }
    });
    return true;
  }

  destroy(): true {
    guard(() => {
      this.observer?.disconnect();
      this.observer = null;
      for (const field of this.fields.values()) field.destroy();
      this.fields.clear();
      this.removeStyles?.();
      this.removeStyles = null;
      this.removeSaveHook?.();
      this.removeSaveHook = null;
    });
    return true;
  }

  /** The settings modal: connection state from the backend, and the connect button. */
  renderSettings($modalBody: unknown): true {
    guard(() => {
      const body = toElement($modalBody);
      if (!body) return;
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
          const s = status as { connected?: boolean; status?: string; mode?: string };
          box.textContent = s.connected ? t('status.connected') : t(s.status === 'reconnect_required' ? 'status.reconnect' : 'status.not_connected');
          if (!s.connected && s.mode !== 'demo') box.append(' ', connectLink(body.ownerDocument, settings.backendUrl, t));
        })
        .catch(() => {
          box.textContent = t('status.unreachable');
        });
    });
    return true;
  }

  /** onSave: refuse malformed field IDs or numbers with a message the admin can act on. */
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
        const entity = currentEntity();
        if (!entity || entity.id <= 0) return; // a new card has no id until amoCRM saves it
        for (const [control] of this.fields) {
          const fieldId = /CFV\[(\d+)\]/.exec(control.name)?.[1];
          const chosen = fieldId ? this.chosen.get(fieldId) : undefined;
          if (!chosen || chosen.value !== control.value.trim()) continue;
          const body = { fieldId: Number(fieldId), value: chosen.value, data: chosen.data, source: chosen.source };
          this.context.transport(`/api/amocrm/${entity.type}/${entity.id}/address`, body, new AbortController().signal, 'POST').catch(() => {});
        }
      });
    doc.addEventListener('click', onClick, true);
    return () => doc.removeEventListener('click', onClick, true);
  }

  private attachAll(doc: Document): void {
    if (!this.context) return;
    const { settings, transport } = this.context;
    for (const [control, field] of this.fields) {
      if (!control.isConnected) {
        field.destroy();
        this.fields.delete(control);
      }
    }
    for (const control of fieldControls(doc, settings.fieldIds)) {
      if (this.fields.has(control)) continue;
      this.fields.set(
        control,
        new FieldAutocomplete(control, {
          transport,
          settings,
          t: this.t,
          jquery: this.host.jquery() as never,
          debounceMs: this.host.debounceMs,
          onChosen: (fieldId, suggestion) => this.chosen.set(fieldId, suggestion),
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
