/** A small element builder for the console: attributes, event handlers (`on…`) and children. */
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, attrs: Record<string, unknown> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    else if (name === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

/** A console button: `key` finds it again after a redraw (the keyboard stays on it). */
export function button(doc: Document, key: string, text: string, onClick: () => void, options: { primary?: boolean; disabled?: boolean } = {}): HTMLButtonElement {
  return h(doc, 'button', { type: 'button', class: `amo-console__button${options.primary ? ' amo-console__button--primary' : ''}`, 'data-key': key, disabled: options.disabled, onClick }, text);
}
