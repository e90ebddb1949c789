/**
 * A website lead into amoCRM, step by step, each step's result saved before the next:
 * normalise the address → find or create the contact → create the lead with the contact and the
 * address fields → the message as a note. A create that may have happened (started, no id
 * saved) is looked up before it is tried again, so a retry never makes a second one.
 */
import type { AmoCrm, FieldValue } from '../../amo/crm.js';
import type { AddressService } from '../../geocoding/address-service.js';
import { checkAddress } from '../../geocoding/normalize-address.js';
import type { AccountSettingsRepository } from '../../store/account-settings-repository.js';
import type { IntakeLead } from '../../intake/intake-schema.js';
import { addressFieldValues, fitsTarget, type FieldMapping } from '../field-mapping.js';
import { verdictValues, withDetails } from '../detail-fields.js';
import { budgetOf } from '../../../contract/delivery.js';
import { verdictOf } from '../../geocoding/verdict.js';
import type { Locks } from '../../store/keyed-lock.js';
import type { JobHandler } from '../jobs.js';
import type { DeliveryZones } from '../../delivery/delivery-zones.js';
import { OUTSIDE_TAG } from '../../delivery/zone-fields.js';

export interface IntakeDeps {
  crm: AmoCrm;
  addresses: AddressService;
  mapping: FieldMapping;
  settings: AccountSettingsRepository;
  /** Across instances on PostgreSQL: two leads with one phone never both create a contact. */
  contactLock: Locks;
  zones: DeliveryZones;
}

/** The marker in the lead's name that lets a retry find the lead an earlier attempt created. */
export const leadMarker = (intakeId: string) => `[${intakeId}]`;

export function intakeHandler(deps: IntakeDeps): JobHandler<'intake'> {
  return async (item, step) => {
    const { accountId } = item;
    const { lead, intakeId } = item.payload;
    const { state } = step;

    if (state.address === undefined) {
      const check = lead.address ? await checkAddress(deps.addresses, accountId, lead.address) : null;
      const found = check?.replacement;
      // The details the form sent win over those read from the address text.
      const data = { ...(found?.data ?? {}), ...typedDetails(lead) };
      await step.save({ address: check ? { value: found?.value ?? lead.address!, data, verdict: check.verdict } : null });
    }

    if (state.contactId === undefined) {
      // A contact is found by phone, then by e-mail: both are held.
      const keys = [`contact:${accountId}:phone:${lead.phone}`, ...(lead.email ? [`contact:${accountId}:email:${lead.email.toLowerCase()}`] : [])];
      await deps.contactLock.run(keys, async () => {
        const existing = await deps.crm.findContact(accountId, { phone: lead.phone, email: lead.email });
        if (existing) return void (await step.save({ contactId: existing }));
        await step.save({ contactCreateStarted: true });
        await step.save({ contactId: await deps.crm.createContact(accountId, { name: lead.name, phone: lead.phone, email: lead.email }) });
      });
    }

    if (state.leadId === undefined) {
      const marker = leadMarker(intakeId);
      const earlier = state.leadCreateStarted ? await deps.crm.findLeadByName(accountId, marker) : null;
      if (earlier) await step.save({ leadId: earlier });
      else {
        const settings = await deps.settings.get(accountId);
        const target = await deps.mapping.forEntity(accountId, 'leads');
        const address = state.address;
        const fields: FieldValue[] = [];
        const tags: string[] = [];
        if (target && address) {
          const { line, fields: details } = withDetails(target, address.value, address.data);
          // A value the field would refuse (over 256 characters in a text field) is never sent.
          if (fitsTarget(target, line)) fields.push(...addressFieldValues(target, line, address.data), ...details);
          const verdict = verdictValues(target, address.verdict ?? verdictOf(address.data ?? {}));
          fields.push(...verdict.fields);
          tags.push(...(verdict.tags.add ?? []));
        }
        // The lead's delivery zone and price from the normalised address's point and the order's sum; outside every zone, a tag says so.
        const delivery = await deps.zones.forLead(accountId, target?.zone ?? {}, address?.data, budgetOf(lead.price));
        if (delivery.tag === 'add') tags.push(OUTSIDE_TAG);
        await step.save({ leadCreateStarted: true });
        const leadId = await deps.crm.createLead(accountId, { name: `${lead.name}: заявка с сайта ${marker}`, price: lead.price, pipelineId: settings.pipelineId, statusId: settings.statusId, contactId: state.contactId!, fields: [...fields, ...delivery.fields], tags });
        await step.save({ leadId });
      }
    }

    const note = noteText(lead);
    if (note && state.noteId === undefined) {
      const earlier = state.noteCreateStarted ? await deps.crm.findNote(accountId, state.leadId!, note) : null;
      if (earlier) await step.save({ noteId: earlier });
      else {
        await step.save({ noteCreateStarted: true });
        await step.save({ noteId: await deps.crm.addNote(accountId, state.leadId!, note) });
      }
    }
  };
}

/** The courier's details the form sent as fields of their own, in the answer's keys. */
function typedDetails(lead: IntakeLead): Record<string, string> {
  const out: Record<string, string> = {};
  if (lead.flat) Object.assign(out, { flat: lead.flat, flat_type: 'кв' });
  if (lead.entrance) out.entrance = lead.entrance;
  if (lead.floor) out.floor = lead.floor;
  if (lead.intercom) out.intercom = lead.intercom;
  if (lead.courier_comment) out.courier_comment = lead.courier_comment;
  return out;
}

/** The message, plus what the site told us about where the lead came from. */
function noteText(lead: IntakeLead): string | null {
  const lines = [lead.message];
  if (lead.email) lines.push(`Email: ${lead.email}`);
  if (lead.source) lines.push(`Источник: ${lead.source}`);
  if (lead.productId) lines.push(`Товар: ${lead.productId}`);
  const utm = Object.entries(lead.utm ?? {}).map(([k, v]) => `utm_${k}=${v}`);
  if (utm.length) lines.push(utm.join(', '));
  const text = lines.filter(Boolean).join('\n');
  return text || null;
}
