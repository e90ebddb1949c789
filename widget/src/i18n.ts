/**
 * Typed translation keys. The key list is derived from i18n/en.json at compile time, so a key
 * used here but missing from the file is a build error; check-widget verifies every locale has
 * every key. Texts come from amoCRM (`self.langs`, reference §2), so nothing is bundled.
 */
import type en from '../i18n/en.json';

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

export type I18nKey = Leaves<typeof en>;
export type Translate = (key: I18nKey) => string;

export function translator(langs: unknown): Translate {
  return (key) => {
    let node: unknown = langs;
    for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    return typeof node === 'string' ? node : key;
  };
}

/** A translated text with its `{name}` placeholders filled. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/**
 * "4 зоны", "5 зон", "1 дом": `<key>_<form>` in the texts' own language and plural form
 * (Intl.PluralRules: ru one/few/many/other, en one/other), with `{n}` and the other values filled.
 */
export function plural(t: Translate, key: string, n: number, values: Record<string, string | number> = {}): string {
  return fill(t(`${key}_${new Intl.PluralRules(t('address.plural_locale')).select(n)}` as I18nKey), { n, ...values });
}

/** "5 адресов: …" */
export const resultsText = (t: Translate, n: number) => plural(t, 'address.results', n);
