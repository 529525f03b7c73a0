// The organizer's event form: what the inputs hold, the request it becomes, and
// the errors it can find before the API does. Inputs are named like the API's
// fields (`venue.city`, `tiers[1].priceMinor`), so the API's field errors land
// next to the right input.

import type { FieldError } from './api';
import { t } from './i18n';
import { fromLocalInput, minorDigits, parseMoney, toLocalInput, type When } from './format';

export interface TierRow {
  id?: string;
  name: string;
  price: string;
  capacity: string;
  maxPerOrder: string;
  /** Unlisted, sold only with a code naming it (a presale); absent: listed. */
  hidden?: boolean;
}

export interface EventForm {
  title: string;
  description: string;
  category: string;
  timezone: string;
  currency: string;
  venue: { name: string; address: string; city: string; country: string };
  startsAt: string;
  endsAt: string;
  salesOpensAt: string;
  salesClosesAt: string;
  /** Whether holders may hand tickets on: `allowed`, `named` or `off`. */
  ticketTransfers: string;
  /** Minutes seats offered from a waiting list stay held (5 to 1440). */
  waitingListOfferMinutes: string;
  tiers: TierRow[];
}

export const TIMES = ['startsAt', 'endsAt', 'salesOpensAt', 'salesClosesAt'] as const;

export function emptyForm(): EventForm {
  return {
    title: '',
    description: '',
    category: 'concert',
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    currency: 'EUR',
    venue: { name: '', address: '', city: '', country: '' },
    startsAt: '',
    endsAt: '',
    salesOpensAt: '',
    salesClosesAt: '',
    ticketTransfers: 'allowed',
    waitingListOfferMinutes: '30',
    tiers: [{ name: 'Standard', price: '', capacity: '', maxPerOrder: '6' }],
  };
}

export interface OrganizerEvent {
  id: string;
  title: string;
  description: string | null;
  category: string;
  status: 'draft' | 'published' | 'cancelled' | 'completed';
  venue: { name: string; address: string; city: string; country: string } | null;
  timezone: string;
  currency: string;
  startsAt: When | null;
  endsAt: When | null;
  salesOpensAt: When | null;
  salesClosesAt: When | null;
  ticketTransfers?: string;
  waitingListOfferMinutes?: number;
  tiers: {
    id: string;
    name: string;
    priceMinor: number;
    currency: string;
    maxPerOrder: number;
    remaining: number;
    capacity: number;
    seated?: boolean;
    /** Present, and `true`, on a tier sold only with a code naming it. */
    hidden?: boolean;
  }[];
  version: number;
  /** The seat map in force, if the event has one. */
  seatMap?: { version: number; seats: number } | null;
}

export function formFromEvent(event: OrganizerEvent): EventForm {
  const digits = minorDigits(event.currency);
  return {
    title: event.title,
    description: event.description ?? '',
    category: event.category,
    timezone: event.timezone,
    currency: event.currency,
    venue: event.venue ?? { name: '', address: '', city: '', country: '' },
    startsAt: toLocalInput(event.startsAt?.utc, event.timezone),
    endsAt: toLocalInput(event.endsAt?.utc, event.timezone),
    salesOpensAt: toLocalInput(event.salesOpensAt?.utc, event.timezone),
    salesClosesAt: toLocalInput(event.salesClosesAt?.utc, event.timezone),
    ticketTransfers: event.ticketTransfers ?? 'allowed',
    waitingListOfferMinutes: String(event.waitingListOfferMinutes ?? 30),
    tiers: event.tiers.map((t) => ({
      id: t.id,
      name: t.name,
      price: (t.priceMinor / 10 ** digits).toFixed(digits),
      capacity: String(t.capacity),
      maxPerOrder: String(t.maxPerOrder),
      ...(t.hidden ? { hidden: true } : {}),
    })),
  };
}

/** The create/update request, or the errors that stop it from being sent. */
export function toRequest(form: EventForm): { body?: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const venueParts = Object.values(form.venue).map((v) => v.trim());
  const venue = venueParts.every((v) => !v) ? null : { ...form.venue };
  const body: Record<string, unknown> = {
    title: form.title,
    description: form.description.trim() ? form.description : null,
    category: form.category,
    timezone: form.timezone,
    currency: form.currency,
    venue,
    ticketTransfers: form.ticketTransfers,
  };
  const offerMinutes = Number(form.waitingListOfferMinutes.trim());
  if (!Number.isInteger(offerMinutes) || offerMinutes < 5 || offerMinutes > 1440) {
    errors.push({ field: 'waitingListOfferMinutes', message: t('editor.offerMinutes.range') });
  } else {
    body.waitingListOfferMinutes = offerMinutes;
  }
  for (const key of TIMES) {
    const value = form[key];
    if (!value) {
      body[key] = null;
      continue;
    }
    const instant = fromLocalInput(value, form.timezone);
    if (!instant) errors.push({ field: key, message: t('form.dateTime') });
    body[key] = instant ?? null;
  }
  body.tiers = form.tiers.map((tier, i) => {
    const priceMinor = parseMoney(tier.price, form.currency.trim().toUpperCase() || 'EUR');
    if (priceMinor === undefined) errors.push({ field: `tiers[${i}].priceMinor`, message: t('form.price') });
    const whole = (text: string, field: string) => {
      const n = Number(text);
      if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) errors.push({ field: `tiers[${i}].${field}`, message: t('form.wholeNumber') });
      return n;
    };
    return {
      ...(tier.id ? { id: tier.id } : {}),
      name: tier.name,
      priceMinor: priceMinor ?? 0,
      capacity: whole(tier.capacity, 'capacity'),
      maxPerOrder: whole(tier.maxPerOrder, 'maxPerOrder'),
      // Left out, a tier is listed: an edit that unticks it lists it again.
      ...(tier.hidden ? { hidden: true } : {}),
    };
  });
  return errors.length ? { errors } : { body, errors };
}

// The API's own messages are in English: its field names become English words.
const FIELD_WORDS: Record<string, string> = {
  startsAt: 'the start',
  endsAt: 'the end',
  salesOpensAt: 'the sales opening',
  salesClosesAt: 'the sales closing',
  maxPerOrder: 'the most per order',
  priceMinor: 'the price',
};

/** The API's field messages name other fields the way the API does; people read labels. */
export function inWords(message: string): string {
  return message.replace(/\b(startsAt|endsAt|salesOpensAt|salesClosesAt|maxPerOrder|priceMinor)\b/g, (name) => FIELD_WORDS[name]);
}
