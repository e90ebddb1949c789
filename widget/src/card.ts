/**
 * amoCRM's card DOM: every selector lives here (reference §2, "Card DOM", unofficial and
 * subject to change). A custom field's control is `[name="CFV[<id>]"]`, input or textarea.
 */
import type { EntityType } from './amo-globals.js';

type JQueryLike = ((el: Element) => { trigger(event: string): unknown }) | undefined;

export type FieldControl = HTMLInputElement | HTMLTextAreaElement;

export function fieldControls(root: ParentNode, fieldIds: number[]): FieldControl[] {
  return fieldIds.flatMap((id) =>
    Array.from(root.querySelectorAll<FieldControl>(`[name="CFV[${id}]"]`)).filter((el) => el instanceof el.ownerDocument.defaultView!.HTMLInputElement || el instanceof el.ownerDocument.defaultView!.HTMLTextAreaElement),
  );
}

/**
 * Sets a control's value so that amoCRM notices: a native bubbling `input`, and jQuery's
 * `input` and `controls:change`, or the card does not mark itself changed and Save stays off.
 */
export function setControlValue(control: FieldControl, value: string, $: JQueryLike): void {
  control.value = value;
  control.dispatchEvent(new Event('input', { bubbles: true }));
  control.dispatchEvent(new Event('change', { bubbles: true }));
  if ($) {
    const wrapped = $(control);
    wrapped.trigger('input');
    wrapped.trigger('controls:change');
  }
}

/**
 * The entity a control belongs to. In a lead card the linked contacts and company are their own
 * forms: `form.linked-form` with `action="/ajax/contacts/detail/"` (or `/ajax/companies/…`) and a
 * hidden `input[name="ID"]` holding that entity's id, `ELEMENT_TYPE` 1 for a contact, 3 for a
 * company (seen in a captured amoCRM lead card kept as a test stub in a public widget repository;
 * unofficial, like all of this module). A control outside such a form is the card's own.
 */
export function controlEntity(control: FieldControl, card: { type: EntityType; id: number }): { type: EntityType; id: number } {
  const form = control.closest('form.linked-form');
  if (!form) return card;
  const action = form.getAttribute('action') ?? '';
  const elementType = form.querySelector<HTMLInputElement>('input[name="ELEMENT_TYPE"]')?.value;
  const type: EntityType | null = /\/companies\//.test(action) || elementType === '3' ? 'companies' : /\/contacts\//.test(action) || elementType === '1' ? 'contacts' : /\/leads\//.test(action) || elementType === '2' ? 'leads' : null;
  const id = Number(form.querySelector<HTMLInputElement>('input[name="ID"]')?.value ?? NaN);
  return type && Number.isSafeInteger(id) && id >= 0 ? { type, id } : card;
}

/** The custom field id in a control's name, `CFV[<id>]`. */
export const fieldIdOf = (control: FieldControl): number | null => {
  const id = /^CFV\[(\d+)\]$/.exec(control.name)?.[1];
  return id ? Number(id) : null;
};

/** amoCRM's card Save buttons (no documented "card saved" event exists). */
export const SAVE_BUTTON = '#save_and_close_contacts_link, .card-top-save-button';
