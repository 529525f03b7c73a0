// Money, dates and countdowns, formatted for people, in the reader's locale unless
// one is given (Intl: the language's own way with dates, times and money).

import { currentLocale, t } from './i18n';

/** Digits after the decimal point of a currency (JPY 0, EUR 2, ...). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function formatMoney(minor: number, currency: string, locale: string = currentLocale()): string {
  const value = minor / 10 ** minorDigits(currency);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

/** A price typed by a person ("45", "45.5", "1,200") in minor units; undefined when it is not one. */
export function parseMoney(text: string, currency: string): number | undefined {
  const cleaned = text.replace(/[\s,]/g, '');
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return undefined;
  const digits = minorDigits(currency);
  const [whole, fraction = ''] = cleaned.split('.');
  if (fraction.length > digits) return undefined;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

export interface When {
  utc: string;
  local: string;
}

/**
 * An event's time as it is where the event happens: the API's `local` wall-clock
 * time, whatever the reader's own time zone, with the zone's name.
 */
export function formatEventTime(when: When | null | undefined, timezone: string, locale: string = currentLocale()): string {
  if (!when) return t('time.toBeAnnounced');
  const text = new Intl.DateTimeFormat(locale, {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: timezone,
  }).format(new Date(when.utc));
  return `${text} (${timezone.replace(/_/g, ' ')})`;
}

/** An instant in the reader's zone ("3 Dec 2026, 18:01"); empty when it is not a date. */
export function formatDateTime(
  iso: string,
  options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' },
  locale: string = currentLocale(),
): string {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return '';
  return new Intl.DateTimeFormat(locale, options).format(when);
}

/**
 * A calendar day ("2030-01-02", a day already in the event's zone) in words
 * ("Jan 2, 2030"); empty when it is not one. Read at UTC so no zone moves it.
 */
export function formatCalendarDay(
  day: string,
  options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' },
  locale: string = currentLocale(),
): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return '';
  const when = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(when.getTime()) || when.toISOString().slice(0, 10) !== day) return '';
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(when);
}

/** "14:32" left of a hold, or "0:00" once it has passed. */
export function countdown(expiresAt: string, now: number): string {
  const seconds = Math.max(0, Math.floor((Date.parse(expiresAt) - now) / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The value of an <input type="datetime-local"> for an instant, in a time zone. */
export function toLocalInput(utc: string | undefined, timezone: string): string {
  if (!utc) return '';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(utc));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/**
 * An <input type="datetime-local"> value read in the event's time zone, as an RFC 3339
 * instant with its offset ("2027-03-14T19:30:00+00:00"); undefined when empty or invalid.
 */
export function fromLocalInput(value: string, timezone: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  // The zone's offset at that moment, found by formatting the guess back (twice, for DST edges).
  let offset = offsetMinutes(asUtc, timezone);
  offset = offsetMinutes(asUtc - offset * 60_000, timezone);
  if (Number.isNaN(offset)) return undefined;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function offsetMinutes(instant: number, timezone: string): number {
  try {
    const local = toLocalInput(new Date(instant).toISOString(), timezone);
    const [date, time] = local.split('T');
    const [y, mo, d] = date.split('-').map(Number);
    const [h, mi] = time.split(':').map(Number);
    return Math.round((Date.UTC(y, mo - 1, d, h, mi) - Math.floor(instant / 60_000) * 60_000) / 60_000);
  } catch {
    return NaN;
  }
}
