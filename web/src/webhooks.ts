// Organizer webhooks (Standard Webhooks): what the page sends and how it names an
// endpoint's state and a delivery's attempts. Pure functions, tested with Vitest.

import type { FieldError } from './api';
import type { Key } from './i18n';

export const EVENT_TYPES = ['reservation.confirmed', 'reservation.cancelled', 'reservation.refunded', 'event.cancelled', 'ticket.checked_in'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_LABEL = {
  'reservation.confirmed': 'webhooks.event.confirmed',
  'reservation.cancelled': 'webhooks.event.cancelled',
  'reservation.refunded': 'webhooks.event.refunded',
  'event.cancelled': 'webhooks.event.eventCancelled',
  'ticket.checked_in': 'webhooks.event.checkedIn',
} as const satisfies Record<EventType, Key>;

export interface Webhook {
  id: string;
  url: string;
  events: EventType[];
  description?: string;
  enabled: boolean;
  createdAt: string;
  failingSince?: string;
  disabledAt?: string;
  disabledReason?: string;
}

export interface Attempt {
  at: string;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

export interface Delivery {
  id: string;
  eventType: EventType;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt?: string;
  createdAt: string;
  deliveredAt?: string;
  payload: unknown;
  log: Attempt[];
}

export interface WebhookForm {
  url: string;
  events: EventType[];
}

/** The site's own messages for a form not ready to send. */
export type WebhookErrorKey = 'webhooks.error.urlMissing' | 'webhooks.error.urlInvalid' | 'webhooks.error.noEvents';

export interface WebhookErrors {
  url?: string;
  events?: string;
  other?: string;
}

export const emptyWebhookForm = (): WebhookForm => ({ url: '', events: ['reservation.confirmed'] });

/** The body of `POST /organizers/me/webhooks`, or the errors to fix first. */
export function webhookRequest(form: WebhookForm): {
  body?: { url: string; events: EventType[] };
  errors: { url?: WebhookErrorKey; events?: WebhookErrorKey };
} {
  const errors: { url?: WebhookErrorKey; events?: WebhookErrorKey } = {};
  const url = form.url.trim();
  if (!url) errors.url = 'webhooks.error.urlMissing';
  else if (!/^https?:\/\/\S+$/i.test(url)) errors.url = 'webhooks.error.urlInvalid';
  if (form.events.length === 0) errors.events = 'webhooks.error.noEvents';
  if (errors.url || errors.events) return { errors };
  const events = EVENT_TYPES.filter((type) => form.events.includes(type));
  return { body: { url, events }, errors };
}

/** The API's field errors, by input (anything else under `other`). */
export function webhookFieldErrors(fields: FieldError[]): WebhookErrors {
  const errors: WebhookErrors = {};
  for (const { field, message } of fields) {
    if (field === 'url' || field === 'events') errors[field] = message;
    else errors.other = errors.other ? `${errors.other} ${message}` : `${field}: ${message}`;
  }
  return errors;
}

/** An endpoint's state: on, failing (since when), or switched off (and why). */
export function endpointState(webhook: Webhook): { key: Key; since?: string; reason?: string } {
  if (!webhook.enabled) return { key: 'webhooks.state.off', since: webhook.disabledAt, reason: webhook.disabledReason };
  if (webhook.failingSince) return { key: 'webhooks.state.failing', since: webhook.failingSince };
  return { key: 'webhooks.state.on' };
}

/** What the last attempt got: an HTTP status, or why there was none. */
export function lastAttempt(delivery: Delivery): string | undefined {
  const last = delivery.log.at(-1);
  if (!last) return undefined;
  return last.statusCode !== undefined ? `HTTP ${last.statusCode}` : last.error;
}
