import { describe, expect, it } from 'vitest';
import { endpointState, lastAttempt, webhookFieldErrors, webhookRequest, type Delivery, type Webhook } from './webhooks';

const webhook: Webhook = {
  id: 'w1',
  url: 'https://hooks.example.com/in',
  events: ['reservation.confirmed'],
  enabled: true,
  createdAt: '2027-01-01T10:00:00.000Z',
};

describe('webhook form', () => {
  it('sends the URL trimmed and the events in a stable order', () => {
    const { body } = webhookRequest({ url: ' https://hooks.example.com/in ', events: ['event.cancelled', 'reservation.confirmed'] });
    expect(body).toEqual({ url: 'https://hooks.example.com/in', events: ['reservation.confirmed', 'event.cancelled'] });
  });

  it('asks for a URL and at least one event before sending', () => {
    expect(webhookRequest({ url: '', events: [] }).errors).toEqual({ url: 'webhooks.error.urlMissing', events: 'webhooks.error.noEvents' });
    expect(webhookRequest({ url: 'hooks.example.com', events: ['reservation.confirmed'] }).errors.url).toBe('webhooks.error.urlInvalid');
  });

  it("puts the API's field errors next to their inputs", () => {
    expect(webhookFieldErrors([{ field: 'url', message: 'must use https' }, { field: 'x', message: 'is not a known field' }])).toEqual({
      url: 'must use https',
      other: 'x: is not a known field',
    });
  });
});

describe('webhook state', () => {
  it('tells on, failing and switched off apart', () => {
    expect(endpointState(webhook).key).toBe('webhooks.state.on');
    expect(endpointState({ ...webhook, failingSince: '2027-01-01T11:00:00.000Z' })).toEqual({
      key: 'webhooks.state.failing',
      since: '2027-01-01T11:00:00.000Z',
    });
    const off = endpointState({ ...webhook, enabled: false, disabledAt: '2027-01-02T11:00:00.000Z', disabledReason: 'every delivery failed' });
    expect(off).toEqual({ key: 'webhooks.state.off', since: '2027-01-02T11:00:00.000Z', reason: 'every delivery failed' });
  });

  it("names a delivery's last attempt by its status code or its error", () => {
    const delivery: Delivery = {
      id: 'msg_1',
      eventType: 'reservation.confirmed',
      status: 'pending',
      attempts: 2,
      createdAt: '2027-01-01T10:00:00.000Z',
      payload: {},
      log: [
        { at: '2027-01-01T10:00:00.000Z', statusCode: 503, durationMs: 12 },
        { at: '2027-01-01T10:00:05.000Z', error: 'timed out', durationMs: 10000 },
      ],
    };
    expect(lastAttempt(delivery)).toBe('timed out');
    expect(lastAttempt({ ...delivery, log: [delivery.log[0]] })).toBe('HTTP 503');
    expect(lastAttempt({ ...delivery, log: [] })).toBeUndefined();
  });
});
