/**
 * amoCRM's card DOM: every selector lives here (reference §2, "Card DOM", unofficial and
 * subject to change). A custom field's control is `[name="CFV[<id>]"]`, input or textarea.
 */
type JQueryLike = ((el: Element) => { trigger(event: string): unknown }) | undefined;

export type FieldControl = HTMLInputElement | HTMLTextAreaElement;

export function fieldControls(root: ParentNode, fieldIds: number[]): FieldControl[] {
  return fieldIds.flatMap((id) =>
    Array.from(root.querySelectorAll<FieldControl>(`[name="CFV[${id}]"]`)).filter((el) => el instanceof el.ownerDocument.defaultView!.HTMLInputElement || el instanceof el.ownerDocument.defaultView!.HTMLTextAreaElement),
  );
}

/** The container that holds the card's fields; new controls appear inside it on re-render. */
export function cardRoot(doc: Document): Element {
  return doc.querySelector('#card_holder, .card-holder, .js-card-main-fields') ?? doc.body;
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

/** amoCRM's card Save buttons (no documented "card saved" event exists). */
export const SAVE_BUTTON = '#save_and_close_contacts_link, .card-top-save-button';
