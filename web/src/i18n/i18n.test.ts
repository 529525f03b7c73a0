import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, describe as words } from '../api';
import { calendarFileName, slug, ticketsFileName } from '../files';
import { formatDateTime, formatEventTime, formatMoney } from '../format';
import { aboutTime } from '../queue';
import { CATALOGUES, currentLanguage, currentLocale, setLanguage, t } from './index';
import { en } from './en';
import { formattingLocale, interpolate, pickLanguage, placeholders, pluralForm, render, type Message } from './translate';

const languages = Object.keys(CATALOGUES) as (keyof typeof CATALOGUES)[];
const kind = (m: Message) => (typeof m === 'string' ? 'text' : 'plural');

afterEach(() => setLanguage('en', []));

describe('catalogues', () => {
  it('have the same keys in every language', () => {
    const reference = Object.keys(en).sort();
    for (const language of languages) {
      const keys = Object.keys(CATALOGUES[language]).sort();
      expect({ language, missing: reference.filter((k) => !keys.includes(k)) }).toEqual({ language, missing: [] });
      expect({ language, extra: keys.filter((k) => !reference.includes(k)) }).toEqual({ language, extra: [] });
    }
  });

  it('have the same placeholders, and plurals where English has them, in every language', () => {
    const problems: string[] = [];
    for (const [key, message] of Object.entries(en)) {
      for (const language of languages) {
        const other = (CATALOGUES[language] as Record<string, Message>)[key];
        if (other === undefined) continue;
        if (kind(other) !== kind(message)) problems.push(`${language} ${key}: ${kind(other)} where English has ${kind(message)}`);
        if (placeholders(other).join() !== placeholders(message).join()) {
          problems.push(`${language} ${key}: {${placeholders(other).join('} {')}} where English has {${placeholders(message).join('} {')}}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('are plain, filled text: no empty message, no markup, every plural with its "other" form', () => {
    const problems: string[] = [];
    for (const language of languages) {
      for (const [key, message] of Object.entries(CATALOGUES[language] as Record<string, Message>)) {
        const texts = typeof message === 'string' ? [message] : Object.values(message);
        if (typeof message !== 'string' && !message.other) problems.push(`${language} ${key}: no "other" form`);
        for (const text of texts) {
          if (!text?.trim()) problems.push(`${language} ${key}: empty`);
          if (/<[a-z/]/i.test(text ?? '')) problems.push(`${language} ${key}: markup`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('hold every key the code asks for by name', () => {
    const root = join(__dirname, '..');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.tsx?$/.test(name) && !name.endsWith('.test.ts') && !path.includes('/i18n/')) files.push(path);
      }
    };
    walk(root);
    const used = new Set<string>();
    for (const file of files) for (const m of readFileSync(file, 'utf8').matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]);
    expect(used.size).toBeGreaterThan(200);
    expect([...used].filter((key) => !(key in en))).toEqual([]);
  });

  it('are really translated: French differs from English for most messages', () => {
    const same = Object.keys(en).filter((k) => JSON.stringify((en as Record<string, Message>)[k]) === JSON.stringify((CATALOGUES.fr as Record<string, Message>)[k]));
    // Names and formats that read the same in both ("Description", "{quantity} × {tier}", "Total").
    expect(same.length).toBeLessThan(12);
  });
});

describe('messages', () => {
  it('fill named placeholders, leaving unknown ones visible', () => {
    expect(interpolate('Give these tickets to {email}?', { email: 'ada@example.com' }, 'en')).toBe('Give these tickets to ada@example.com?');
    expect(interpolate('{a} and {b}', { a: 'x' }, 'en')).toBe('x and {b}');
  });
  it('write numbers the locale’s way', () => {
    expect(interpolate('{n}', { n: 12345 }, 'en')).toBe('12,345');
    expect(interpolate('{n}', { n: 12345 }, 'fr').replace(/\s/g, ' ')).toBe('12 345');
  });
  it('pick plural forms by Intl.PluralRules: French counts 0 and 1 as one', () => {
    const m = { one: '{count} billet', other: '{count} billets' };
    expect(pluralForm(m, 1, 'en')).toBe('{count} billet');
    expect(pluralForm(m, 0, 'en')).toBe('{count} billets');
    expect(render(m, 'fr', { count: 0 })).toBe('0 billet');
    expect(render(m, 'fr', { count: 1 })).toBe('1 billet');
    expect(render(m, 'fr', { count: 2 })).toBe('2 billets');
    expect(render({ other: 'only {count}' }, 'en', { count: 1 })).toBe('only 1');
  });
  it('come in the current language', () => {
    expect(t('door.waiting', { count: 1 })).toBe('1 scan waiting to upload');
    expect(t('door.waiting', { count: 3 })).toBe('3 scans waiting to upload');
    setLanguage('fr', ['fr-FR']);
    expect(currentLanguage()).toBe('fr');
    expect(t('door.waiting', { count: 0 })).toBe('0 scan en attente d’envoi');
    expect(t('door.waiting', { count: 3 })).toBe('3 scans en attente d’envoi');
    expect(t('transfer.confirm.title', { email: 'ada@example.com' })).toBe('Donner ces billets à ada@example.com\u00a0?');
    expect(aboutTime(150)).toBe('environ 3 minutes');
  });
});

describe('the reader’s language', () => {
  it('is the account’s, else the one chosen here, else the browser’s first of French or English, else English', () => {
    expect(pickLanguage('fr', 'en', ['en-US'])).toBe('fr');
    expect(pickLanguage(null, 'fr', ['en-US'])).toBe('fr');
    expect(pickLanguage(undefined, undefined, ['de-DE', 'fr-CA', 'en'])).toBe('fr');
    expect(pickLanguage(undefined, 'xx', ['EN-gb'])).toBe('en');
    expect(pickLanguage('de', null, ['de-DE', 'es'])).toBe('en');
    expect(pickLanguage(undefined, undefined, [])).toBe('en');
  });
  it('formats with the browser’s variant of the language when it has one', () => {
    expect(formattingLocale('en', ['fr-FR', 'en-GB'])).toBe('en-GB');
    expect(formattingLocale('fr', ['fr-ca'])).toBe('fr-CA');
    expect(formattingLocale('fr', ['en-US'])).toBe('fr');
    setLanguage('fr', ['en-GB']);
    expect(currentLocale()).toBe('fr');
  });
});

describe('formats per locale', () => {
  const when = { utc: '2027-03-14T19:30:00Z', local: '2027-03-14T19:30:00+00:00' };
  it('money', () => {
    expect(formatMoney(4500, 'EUR', 'fr-FR').replace(/\s/g, ' ')).toBe('45,00 €');
    expect(formatMoney(4500, 'EUR', 'en-US')).toBe('€45.00');
    setLanguage('fr', ['fr-FR']);
    expect(formatMoney(7000, 'GBP').replace(/\s/g, ' ')).toBe('70,00 £GB');
  });
  it('an event’s time, still in its own zone', () => {
    expect(formatEventTime(when, 'Europe/London', 'en-US')).toBe('Sunday, March 14, 2027 at 7:30 PM (Europe/London)');
    expect(formatEventTime(when, 'Europe/London', 'fr-FR')).toBe('dimanche 14 mars 2027 à 19:30 (Europe/London)');
    expect(formatEventTime(when, 'Asia/Tokyo', 'fr-FR')).toContain('04:30');
    setLanguage('fr', ['fr-FR']);
    expect(formatEventTime(null, 'UTC')).toBe('Date à venir');
  });
  it('instants in the reader’s zone, empty for what is not a date', () => {
    expect(formatDateTime('2027-03-14T19:30:00Z', { dateStyle: 'long', timeZone: 'UTC' }, 'fr-FR')).toBe('14 mars 2027');
    expect(formatDateTime('not a date')).toBe('');
  });
});

describe('the site’s words for API errors', () => {
  it('exist in both languages for the transfer refusals', () => {
    const codes = ['no_account', 'transfers_off', 'event_started', 'already_checked_in', 'not_transferable', 'payment_disputed', 'same_holder'];
    for (const language of ['en', 'fr'] as const) {
      setLanguage(language, []);
      const texts = codes.map((code) => words(409, code, 'server words'));
      expect(texts.every((text) => text !== 'server words')).toBe(true);
      expect(new Set(texts).size).toBe(codes.length);
    }
    setLanguage('fr', []);
    expect(words(429, 'too_many_requests', '', 1)).toBe('Trop de tentatives. Réessayez dans 1\u00a0seconde.'.replace('\u00a0', ' '));
    expect(new ApiError(409, 'same_holder', words(409, 'same_holder', '')).message).toMatch(/déjà à vous/);
  });
});

describe('file names', () => {
  it('are made from the event’s title', () => {
    expect(slug('Cup Final: Lyon v Marseille')).toBe('cup-final-lyon-v-marseille');
    expect(slug('Fête de la Musique — Élysée 2027!')).toBe('fete-de-la-musique-elysee-2027');
    expect(slug('***')).toBe('event');
    expect(slug('a'.repeat(80)).length).toBe(60);
    expect(ticketsFileName('Midnight Strings in Concert')).toBe('tickets-midnight-strings-in-concert.pdf');
    expect(calendarFileName('Midnight Strings in Concert')).toBe('midnight-strings-in-concert.ics');
  });
});
