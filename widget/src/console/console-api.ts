/** The console's calls to the backend (/api/console/*, contract/api.ts), through the widget's transport. */
import type { ConsoleChoices, ConsoleState, ConsoleWrites } from '../../../contract/api.js';
import type { Transport } from '../suggest.js';

export type ConsoleSettings = ConsoleChoices['settings'];

export class ConsoleApi {
  constructor(private readonly transport: Transport) {}

  private call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body: Record<string, unknown> = {}): Promise<T> {
    return this.transport(`/api/console${path}`, body, new AbortController().signal, method) as Promise<T>;
  }

  state = () => this.call<ConsoleState>('GET', '/state');
  choices = () => this.call<ConsoleChoices>('GET', '/fields');
  saveSettings = (settings: ConsoleSettings) => this.call<{ settings: ConsoleSettings }>('PUT', '/settings', settings);
  createSiteKey = (name: string) => this.call<{ id: number; name: string; key: string }>('POST', '/site-keys', { name });
  revokeSiteKey = (id: number) => this.call<null>('DELETE', `/site-keys/${id}`);
  parked = () => this.call<ConsoleWrites>('GET', '/writes');
  retry = (id?: number) => this.call<{ retried: number }>('POST', id === undefined ? '/writes/retry' : `/writes/${id}/retry`);
  setWebhook = (subscribed: boolean) => this.call<{ queued: true }>('POST', '/webhook', { subscribed });
  importAddressBook = () => this.call<{ queued: true }>('POST', '/address-book/import');
  clearAddressBook = () => this.call<{ removed: number }>('DELETE', '/address-book');
  updateAddressData = () => this.call<{ started: true }>('POST', '/address-data/update');
}
