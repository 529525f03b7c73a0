// Promo, presale and access codes, the pure side: the organizer's form and the
// request it becomes (and the API's field errors put back next to its inputs), what
// a checked code does to the tiers a buyer sees and to an order's price, and a
// reservation's discount. Codes discount each ticket; a use is a ticket.

import type { FieldError } from './api';
import { currentLocale, t } from './i18n';
import { formatMoney, fromLocalInput, parseMoney } from './format';

/** What a code does: a percentage or an amount off each ticket, or only opening hidden tiers. */
export type PromoKind = 'percent' | 'amount' | 'access';

/** The organizer's form, as typed (dates as <input type="datetime-local"> in the event's zone). */
export interface PromoForm {
  code: string;
  kind: PromoKind;
  /** The percentage (`percent`) or the amount off each ticket (`amount`), as typed. */
  value: string;
  /** Tickets it may discount in all; empty: no limit. */
  maxUses: string;
  /** None: every tier that is not hidden. */
  tierIds: string[];
  validFrom: string;
  validUntil: string;
}

/** The inputs an error can stand next to; `other`: a field the form has no input for. */
export type PromoField = 'code' | 'value' | 'maxUses' | 'tiers' | 'validFrom' | 'validUntil' | 'other';
export type PromoErrors = Partial<Record<PromoField, string>>;

/** A code as the API lists it (`GET /events/{id}/promo-codes`). */
export interface PromoCode {
  code: string;
  percentOff?: number;
  amountOffMinor?: number;
  accessOnly: boolean;
  maxUses?: number;
  /** Tickets held or sold with it now. */
  uses: number;
  /** Empty: every tier that is not hidden. */
  tierIds: string[];
  validFrom?: string;
  validUntil?: string;
  createdAt: string;
}

/** What a buyer's code does now (`GET /events/{id}/promo-codes/{code}`). */
export interface CodeCheck {
  code: string;
  percentOff?: number | null;
  amountOffMinor?: number | null;
  validUntil?: string | null;
  tiers: CodeTier[];
}

export interface CodeTier {
  id: string;
  name: string;
  priceMinor: number;
  /** One ticket's price with the code. */
  discountedPriceMinor: number;
  currency: string;
  maxPerOrder: number;
  remaining: number;
  seated: boolean;
  hidden: boolean;
}

/** A tier as the event page lists it. */
export interface ListedTier {
  id: string;
  name: string;
  priceMinor: number;
  currency: string;
  maxPerOrder: number;
  remaining: number;
  seated?: boolean;
}

/** A tier a buyer may order, with the code's price when the code applies to it. */
export interface OfferTier extends ListedTier {
  /** One ticket's price with the applied code; absent when the code does not apply. */
  discountedPriceMinor?: number;
  /** Unlisted: shown because the applied code opens it. */
  hidden?: boolean;
}

/** A reservation's code, as the API fixes it at hold time. */
export interface ReservationPromo {
  code: string;
  originalAmountMinor: number;
  discountMinor: number;
}

const CODE_PATTERN = /^[A-Za-z0-9_-]{3,40}$/;
const USES_MAX = 1_000_000;

export function emptyPromoForm(): PromoForm {
  return { code: '', kind: 'percent', value: '', maxUses: '', tierIds: [], validFrom: '', validUntil: '' };
}

/**
 * The create request (`POST /events/{id}/promo-codes`), or the errors that stop it
 * from being sent. Amounts are read in the event's currency, times in its zone.
 */
export function promoRequest(form: PromoForm, currency: string, timezone: string): { body?: Record<string, unknown>; errors: PromoErrors } {
  const errors: PromoErrors = {};
  const body: Record<string, unknown> = {};
  const code = form.code.trim();
  if (!CODE_PATTERN.test(code)) errors.code = t('promo.error.code');
  body.code = code;

  const value = form.value.trim();
  if (form.kind === 'percent') {
    const percent = Number(value);
    if (!/^\d+$/.test(value) || percent < 1 || percent > 100) errors.value = t('promo.error.percent');
    else body.percentOff = percent;
  } else if (form.kind === 'amount') {
    const amount = parseMoney(value, currency);
    if (amount === undefined || amount < 1) errors.value = t('promo.error.amount');
    else body.amountOffMinor = amount;
  }

  const uses = form.maxUses.trim();
  if (uses) {
    const n = Number(uses);
    if (!/^\d+$/.test(uses) || n < 1 || n > USES_MAX) errors.maxUses = t('promo.error.maxUses', { max: USES_MAX });
    else body.maxUses = n;
  }

  if (form.tierIds.length > 0) body.tierIds = [...new Set(form.tierIds)];
  else if (form.kind === 'access') errors.tiers = t('promo.error.accessTiers');

  const from = form.validFrom ? fromLocalInput(form.validFrom, timezone) : undefined;
  const until = form.validUntil ? fromLocalInput(form.validUntil, timezone) : undefined;
  if (form.validFrom && !from) errors.validFrom = t('form.dateTime');
  if (form.validUntil && !until) errors.validUntil = t('form.dateTime');
  if (from && until && Date.parse(until) <= Date.parse(from)) errors.validUntil = t('promo.error.untilAfterFrom');
  if (from) body.validFrom = from;
  if (until) body.validUntil = until;

  return Object.keys(errors).length > 0 ? { errors } : { body, errors };
}

/**
 * The API's field errors (422 `validation_failed`) next to the form's inputs, in the
 * reader's words. The API puts "no discount and no tiers" on `percentOff`: for an
 * access code, that is the tiers' problem.
 */
export function promoFieldErrors(fields: FieldError[], kind: PromoKind): PromoErrors {
  const errors: PromoErrors = {};
  for (const { field, message } of fields) {
    if (field === 'code') errors.code ??= t('promo.error.code');
    else if (field === 'percentOff' && (kind === 'access' || /tierIds/.test(message))) errors.tiers ??= t('promo.error.accessTiers');
    else if (field === 'percentOff') errors.value ??= t('promo.error.percent');
    else if (field === 'amountOffMinor') errors.value ??= t('promo.error.amount');
    else if (field === 'maxUses') errors.maxUses ??= t('promo.error.maxUses', { max: USES_MAX });
    else if (field === 'tierIds' || field.startsWith('tierIds[')) errors.tiers ??= t('promo.error.tiers');
    else if (field === 'validFrom') errors.validFrom ??= t('form.dateTime');
    else if (field === 'validUntil') errors.validUntil ??= /after/.test(message) ? t('promo.error.untilAfterFrom') : t('form.dateTime');
    else errors.other ??= `${field}: ${message}`;
  }
  return errors;
}

/** "20% off each ticket", "€5.00 off each ticket", or "access only" (no discount). */
export function discountText(code: { percentOff?: number | null; amountOffMinor?: number | null }, currency: string): string {
  if (code.percentOff) return t('promo.percentOff', { percent: code.percentOff });
  if (code.amountOffMinor) return t('promo.amountOff', { amount: formatMoney(code.amountOffMinor, currency) });
  return t('promo.accessOnly');
}

/** "3 of 10" tickets used, or "3 (no limit)". */
export function usesText(code: Pick<PromoCode, 'uses' | 'maxUses'>): string {
  return code.maxUses === undefined ? t('promo.uses.unlimited', { uses: code.uses }) : t('promo.uses.of', { uses: code.uses, max: code.maxUses });
}

/** Names in a sentence, the language's way ("Stalls, Balcony and Boxes"). */
export function listNames(names: string[], locale: string = currentLocale()): string {
  try {
    return new Intl.ListFormat(locale, { type: 'conjunction' }).format(names);
  } catch {
    return names.join(', ');
  }
}

/**
 * The tiers a buyer may order: the listed ones (live), each with the code's price
 * when the code applies to it, then the hidden tiers the code opens.
 */
export function withCode(listed: ListedTier[], check?: CodeCheck): OfferTier[] {
  if (!check) return listed;
  const byId = new Map(check.tiers.map((tier) => [tier.id, tier]));
  const shown: OfferTier[] = listed.map((tier) => {
    const coded = byId.get(tier.id);
    return coded ? { ...tier, discountedPriceMinor: coded.discountedPriceMinor } : tier;
  });
  const listedIds = new Set(listed.map((tier) => tier.id));
  for (const tier of check.tiers) {
    if (listedIds.has(tier.id)) continue;
    shown.push({
      id: tier.id,
      name: tier.name,
      priceMinor: tier.priceMinor,
      currency: tier.currency,
      maxPerOrder: tier.maxPerOrder,
      remaining: tier.remaining,
      seated: tier.seated,
      discountedPriceMinor: tier.discountedPriceMinor,
      hidden: true,
    });
  }
  return shown;
}

/** Whether the applied code goes with an order of this tier (the API refuses it otherwise). */
export function codeFor(tier: OfferTier | undefined, check: CodeCheck | undefined): string | undefined {
  if (!tier || !check) return undefined;
  return check.tiers.some((coded) => coded.id === tier.id) ? check.code : undefined;
}

/** An order's price: each ticket discounted alike, as the API counts it. */
export function orderPrice(tier: OfferTier, quantity: number): { originalMinor: number; discountMinor: number; totalMinor: number } {
  const originalMinor = tier.priceMinor * quantity;
  const each = tier.discountedPriceMinor === undefined ? tier.priceMinor : Math.min(tier.priceMinor, Math.max(0, tier.discountedPriceMinor));
  const totalMinor = each * quantity;
  return { originalMinor, discountMinor: originalMinor - totalMinor, totalMinor };
}

/** A reservation's price before its code, the discount and what is paid: its `amountMinor`. */
export function reservationPrice(reservation: { amountMinor: number; promo?: ReservationPromo | null }):
  | { code: string; originalMinor: number; discountMinor: number; totalMinor: number }
  | undefined {
  const promo = reservation.promo;
  if (!promo) return undefined;
  return {
    code: promo.code,
    originalMinor: promo.originalAmountMinor,
    discountMinor: promo.discountMinor,
    totalMinor: reservation.amountMinor,
  };
}

/** The code's check address; codes are words, but what a buyer types is not trusted. */
export function checkPath(eventId: string, typed: string): string {
  return `/events/${encodeURIComponent(eventId)}/promo-codes/${encodeURIComponent(typed.trim())}`;
}
