/**
 * The card behind amoCRM's mobile-app widget block (the `mobile_card` location: amoCRM's
 * "Виджеты на мобильных устройствах" page). The app opens our page with a disposable token whose
 * `data.entity_type` / `data.entity_id` name the card; the page cannot reach the card's own
 * fields, so it shows what the address field holds (read through API v4) and writes the picked
 * address back through the same write-back as the web card, rights check included.
 */
import { budgetOf } from '../../contract/delivery.js';
import type { AmoCrm } from '../amo/crm.js';
import type { WidgetCaller } from '../amo/disposable-token.js';
import type { AccountSettingsRepository } from '../store/account-settings-repository.js';
import { AppError } from '../errors.js';
import type { MobileCardState } from '../../contract/api.js';

export class MobileCard {
  constructor(private readonly deps: { crm: AmoCrm; settings: AccountSettingsRepository }) {}

  async state(caller: WidgetCaller): Promise<MobileCardState> {
    const card = caller.card;
    if (!card) throw new AppError('unsupported_card', 'This token names no card: open the widget from a lead card in amoCRM’s mobile app.');
    // The mobile app shows widgets in lead and customer cards; only leads have our address field.
    if (card.entityType !== 'leads' && card.entityType !== 'lead') throw new AppError('unsupported_card', `Addresses are filled in lead cards only, not in ${card.entityType}.`);
    const { crm, settings } = this.deps;
    const fieldId = (await settings.get(caller.accountId)).fields.leads?.address ?? null;
    if (fieldId === null) return { entity: 'leads', id: card.entityId, field: null, value: null, budget: null };
    const [lead] = await crm.entities(caller.accountId, 'leads', [card.entityId]);
    const name = (await crm.customFields(caller.accountId, 'leads')).find((f) => f.id === fieldId)?.name ?? null;
    const value = lead?.custom_fields_values?.find((v) => v.field_id === fieldId)?.values?.[0]?.value;
    return { entity: 'leads', id: card.entityId, field: { id: fieldId, name }, value: typeof value === 'string' && value ? value : null, budget: budgetOf(lead?.price) };
  }
}
