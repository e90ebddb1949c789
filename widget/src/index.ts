/**
 * The AMD entry amoCRM loads (reference §2). A plain function constructor, not a class: amoCRM
 * mixes its own methods (system, get_settings, langs, $authorizedAjax…) into the instance.
 * Callbacks run render → init → bind_actions on every area change (init_once: false), and
 * destroy when the manager leaves the card.
 */
import $ from 'jquery';
import { AddressWidget } from './address-widget.js';

declare const __BACKEND_URL__: string;

interface AmoWidgetInstance {
  callbacks: Record<string, unknown>;
  params?: { path?: string };
  get_settings?: () => Record<string, unknown>;
  system?: () => { area?: string };
  langs?: unknown;
  $authorizedAjax?: (options: Record<string, unknown>) => never;
}

function AmoAddressWidget(this: AmoWidgetInstance) {
  // eslint-disable-next-line @typescript-eslint/no-this-alias
  const self = this;
  const widget = new AddressWidget({
    defaultBackendUrl: __BACKEND_URL__,
    settings: () => (self.get_settings?.() ?? {}) as never,
    area: () => self.system?.().area ?? '',
    langs: () => self.langs,
    authorizedAjax: () => (typeof self.$authorizedAjax === 'function' ? self.$authorizedAjax.bind(self) : undefined),
    jquery: () => $ as never,
    path: () => self.params?.path ?? '',
  });
  this.callbacks = {
    render: () => true,
    init: () => true,
    bind_actions: () => widget.bindActions(),
    settings: ($modalBody: unknown) => widget.renderSettings($modalBody),
    advancedSettings: () => widget.renderConsole(),
    onSave: (arg?: unknown) => widget.onSave(arg),
    destroy: () => widget.destroy(),
    contacts: { selected: () => true },
    leads: { selected: () => true },
    companies: { selected: () => true },
  };
  // For the demo page and the tests: what the widget kept for the write-back.
  (this as unknown as { amoAddress: AddressWidget }).amoAddress = widget;
  return this;
}

export default AmoAddressWidget;
