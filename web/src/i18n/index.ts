// The site's words: `t('key', {name})` in the reader's language, which pages follow
// (the shell re-renders on a change and <html lang> follows). English is the
// reference catalogue: a key used in code must exist in it, and the French one must
// have every key of it (the type checker says so; Vitest checks the placeholders).

import { en } from './en';
import { fr } from './fr';
import { formattingLocale, render, type Language, type Params, type ParamsOf } from './translate';

export type { Language } from './translate';
export { isLanguage, pickLanguage } from './translate';

export type Key = keyof typeof en;
/** Every catalogue has exactly English's keys. */
export type Translation = { [K in Key]: (typeof en)[K] extends string ? string : import('./translate').Plural };

export const CATALOGUES: Record<Language, Translation> = { en, fr };

/** Languages by their own names, for the switch (shown in their own language). */
export const LANGUAGES: { code: Language; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'fr', name: 'Français' },
];

let language: Language = 'en';
let locale = 'en';
const listeners = new Set<(language: Language) => void>();

export function browserLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages?.length ? navigator.languages : navigator.language ? [navigator.language] : [];
}

export function currentLanguage(): Language {
  return language;
}

/** The locale for Intl formats (dates, money, numbers). */
export function currentLocale(): string {
  return locale;
}

export function setLanguage(next: Language, browser: readonly string[] = browserLanguages()): void {
  const changed = next !== language;
  language = next;
  locale = formattingLocale(next, browser);
  if (typeof document !== 'undefined') document.documentElement.lang = next;
  if (changed) for (const listener of listeners) listener(next);
}

export function onLanguageChange(listener: (language: Language) => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

type Args<K extends Key> = [ParamsOf<(typeof en)[K]>] extends [never] ? [] : [Record<ParamsOf<(typeof en)[K]>, string | number>];

/** The message for `key` in the current language, its placeholders filled. */
export function t<K extends Key>(key: K, ...args: Args<K>): string {
  const message = CATALOGUES[language][key] ?? en[key];
  return render(message, locale, (args[0] ?? {}) as Params);
}
