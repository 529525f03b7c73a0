// The pure side of translation: a message's placeholders filled in (`{name}`), its
// plural form picked by Intl.PluralRules, and which language a reader gets. No
// browser state here, so Vitest checks it as it is.

/** A message with plural forms, picked by `count` (Intl.PluralRules' categories). */
export interface Plural {
  zero?: string;
  one?: string;
  two?: string;
  few?: string;
  many?: string;
  other: string;
}

export type Message = string | Plural;
export type Catalogue = Record<string, Message>;

export type Language = 'en' | 'fr';
export const LANGUAGE_CODES: readonly Language[] = ['en', 'fr'];

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGE_CODES as readonly string[]).includes(value);
}

/** The `{names}` in a text, as a union type: `t()` then asks for exactly those. */
type Holes<S> = S extends `${string}{${infer P}}${infer Rest}` ? P | Holes<Rest> : never;

/** The parameters a message takes: its placeholders, and `count` for a plural. */
export type ParamsOf<M> = M extends string ? Holes<M> : M extends Plural ? Holes<Exclude<M[keyof M], undefined>> | 'count' : never;

export type Params = Record<string, string | number>;

/** Placeholders sorted and once each, across all the forms of a message. */
export function placeholders(message: Message): string[] {
  const texts = typeof message === 'string' ? [message] : Object.values(message).filter((v): v is string => typeof v === 'string');
  const names = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(/\{(\w+)\}/g)) names.add(m[1]);
  return [...names].sort();
}

/** The form of a plural message for `count` in a locale (French: 0 and 1 are "one"). */
export function pluralForm(message: Plural, count: number, locale: string): string {
  const category = new Intl.PluralRules(locale).select(count) as keyof Plural;
  return message[category] ?? message.other;
}

/** Fills `{name}` from params; numbers are written the locale's way (1,234 / 1 234). */
export function interpolate(text: string, params: Params, locale: string): string {
  return text.replace(/\{(\w+)\}/g, (hole, name: string) => {
    const value = params[name];
    if (value === undefined) return hole;
    return typeof value === 'number' ? new Intl.NumberFormat(locale).format(value) : value;
  });
}

export function render(message: Message, locale: string, params: Params = {}): string {
  const text = typeof message === 'string' ? message : pluralForm(message, Number(params.count ?? 0), locale);
  return interpolate(text, params, locale);
}

/**
 * The reader's language: their account's, else the one they chose on this device,
 * else the browser's first of French or English, else English.
 */
export function pickLanguage(account: unknown, stored: unknown, browser: readonly string[]): Language {
  if (isLanguage(account)) return account;
  if (isLanguage(stored)) return stored;
  for (const tag of browser) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}

/**
 * The locale dates and money are written in: the browser's own variant of the
 * language when it has one (en-GB writes 19:30, fr-CA its own dates), else the language.
 */
export function formattingLocale(language: Language, browser: readonly string[]): string {
  for (const tag of browser) {
    if (tag.toLowerCase().split('-')[0] !== language) continue;
    try {
      return Intl.getCanonicalLocales(tag)[0] ?? language;
    } catch {
      // Not a tag Intl knows: the language alone will do.
    }
  }
  return language;
}
