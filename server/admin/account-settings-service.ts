/**
 * An admin's choice of address fields and of the pipeline for website leads: what they choose
 * from (the account's own /custom_fields and /pipelines) and the check, against amoCRM, of what
 * they chose. Nothing is saved unless every id names something amoCRM lists and we can write.
 */
import type { Clock } from '../clock.js';
import type { EntityType } from '../amo/api-client.js';
import type { AmoCrm } from '../amo/crm.js';
import { unwritableReason } from '../amo/address-fields.js';
import type { AccountSettings, AccountSettingsRepository } from '../store/account-settings-repository.js';
import { AppError } from '../errors.js';
import type { DeliveryZones } from '../delivery/delivery-zones.js';
import { ZONE_PARTS, missingOptions, zoneFieldProblem } from '../delivery/zone-fields.js';
import { DETAIL_PARTS, detailFieldProblem, type DetailPart } from '../outbox/detail-fields.js';

const ENTITIES: EntityType[] = ['leads', 'contacts', 'companies'];

export class AccountSettingsService {
  constructor(private readonly deps: { crm: AmoCrm; settings: AccountSettingsRepository; clock: Clock; zones: DeliveryZones }) {}

  /** Zone names the leads' mapped zone-name select has no option for ([] when no select is mapped). */
  async zoneOptionGaps(accountId: number, names: string[]): Promise<string[]> {
    const chosen = (await this.deps.settings.get(accountId)).fields.leads?.zoneName;
    if (!chosen || !names.length) return [];
    const field = (await this.deps.crm.customFields(accountId, 'leads')).find((f) => f.id === chosen);
    return field ? missingOptions(field, names) : [];
  }

  /** The account's fields per entity and its pipelines, as amoCRM lists them now, with the saved choice. */
  async choices(accountId: number) {
    const { crm } = this.deps;
    const fields = Object.fromEntries(await Promise.all(ENTITIES.map(async (e) => [e, await crm.customFields(accountId, e, { fresh: true })] as const)));
    return { fields, pipelines: await crm.pipelines(accountId), settings: await this.deps.settings.get(accountId) };
  }

  async save(accountId: number, settings: AccountSettings): Promise<AccountSettings> {
    await this.check(accountId, settings);
    await this.deps.settings.save(accountId, settings, this.deps.clock.now());
    return settings;
  }

  /** Every chosen id must be one amoCRM lists for that entity (or pipeline), of a type we can write. */
  private async check(accountId: number, settings: AccountSettings): Promise<void> {
    const { crm } = this.deps;
    for (const entity of ENTITIES) {
      const chosen = settings.fields[entity];
      if (!chosen) continue;
      const known = await crm.customFields(accountId, entity, { fresh: true });
      for (const [part, id] of Object.entries(chosen)) {
        if (id === undefined) continue;
        const field = known.find((f) => f.id === id);
        const at = `fields.${entity}.${part}`;
        if (!field) throw new AppError('unknown_field', `"${at}": amoCRM has no ${entity} field ${id}.`, { field: at });
        if ((ZONE_PARTS as readonly string[]).includes(part)) {
          if (entity !== 'leads') throw new AppError('unsupported_field_type', `"${at}": the delivery zone goes to lead fields only.`, { field: at });
          const problem = zoneFieldProblem(field, part as (typeof ZONE_PARTS)[number]);
          if (problem) throw new AppError('unsupported_field_type', `"${at}": ${problem}.`, { field: at });
          if (part === 'zoneName') {
            const missing = missingOptions(field, ((await this.deps.zones.listing(accountId))?.zones ?? []).map((z) => z.name)); // the listing: no outlines parsed here
            if (missing.length) throw new AppError('zone_options_missing', `"${at}": the list field “${field.name}” has no option for the zone(s) ${missing.map((m) => `“${m}”`).join(', ')}; add them in amoCRM or choose a text field.`, { field: at, missing });
          }
          continue;
        }
        if ((DETAIL_PARTS as readonly string[]).includes(part) || part === 'verdict') {
          const problem = detailFieldProblem(field, part as DetailPart | 'verdict');
          if (problem) throw new AppError('unsupported_field_type', `"${at}": ${problem}.`, { field: at });
          continue;
        }
        // Only types we can write (reference §6): a legal_entity, list, number or date field is refused here, in words.
        const reason = unwritableReason(field, part === 'address' ? 'address' : 'part');
        if (reason) throw new AppError('unsupported_field_type', `"${at}": ${reason}.`, { field: at });
      }
    }
    if (settings.pipelineId || settings.statusId) {
      const pipeline = (await crm.pipelines(accountId)).find((p) => p.id === settings.pipelineId);
      if (!pipeline) throw new AppError('unknown_pipeline', `"pipelineId": amoCRM has no pipeline ${settings.pipelineId}.`, { field: 'pipelineId' });
      if (settings.statusId && !pipeline.statuses.some((s) => s.id === settings.statusId)) {
        throw new AppError('unknown_status', `"statusId": pipeline ${pipeline.id} has no status ${settings.statusId}.`, { field: 'statusId' });
      }
    }
  }
}
