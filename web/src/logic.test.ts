import { describe, expect, it } from 'vitest';
import { ApiError, describe as words, outcomeUnknown } from './api';
import { toRequest, emptyForm, formFromEvent, inWords, type OrganizerEvent } from './eventForm';
import { fromQuery, problems, toApiQuery, toQuery } from './filters';
import { countdown, formatEventTime, formatMoney, fromLocalInput, parseMoney, toLocalInput } from './format';
import { match, safeNext } from './paths';
import { joinCsvPages, salesByTier, totals } from './sales';
import { refreshDelay } from './session';
import {
  blockRequest,
  moveCursor,
  pickable,
  seatLabel,
  seatRadius,
  sectionsOf,
  togglePick,
  viewBox,
  type SeatMapView,
  type SectionView,
} from './seatmap';
import { aboutTime, shouldAskPlace, waitingText, type QueuePlace, type RoomStatus } from './queue';

describe('money', () => {
  it('formats minor units by the currency', () => {
    expect(formatMoney(4500, 'EUR', 'en-GB')).toBe('€45.00');
    expect(formatMoney(30000, 'JPY', 'en-GB')).toBe('JP¥30,000');
  });
  it('reads prices people type, refusing what is not one', () => {
    expect(parseMoney('45', 'EUR')).toBe(4500);
    expect(parseMoney('45.5', 'EUR')).toBe(4550);
    expect(parseMoney('1,200.99', 'GBP')).toBe(120099);
    expect(parseMoney('30000', 'JPY')).toBe(30000);
    expect(parseMoney('12.345', 'EUR')).toBeUndefined();
    expect(parseMoney('1.5', 'JPY')).toBeUndefined();
    expect(parseMoney('-3', 'EUR')).toBeUndefined();
    expect(parseMoney('abc', 'EUR')).toBeUndefined();
  });
});

describe('time', () => {
  it('shows an event at its own local time, whatever the reader’s zone', () => {
    const when = { utc: '2027-03-14T19:30:00Z', local: '2027-03-14T19:30:00+00:00' };
    expect(formatEventTime(when, 'Europe/London', 'en-GB')).toContain('19:30');
    expect(formatEventTime(when, 'Asia/Tokyo', 'en-GB')).toContain('04:30');
    expect(formatEventTime(when, 'Asia/Tokyo', 'en-GB')).toContain('(Asia/Tokyo)');
    expect(formatEventTime(null, 'UTC')).toBe('Date to be announced');
  });
  it('round-trips form inputs in the event’s zone, across daylight saving', () => {
    expect(fromLocalInput('2027-05-23T21:00', 'Europe/Paris')).toBe('2027-05-23T21:00:00+02:00');
    expect(fromLocalInput('2027-01-10T09:00', 'Europe/Paris')).toBe('2027-01-10T09:00:00+01:00');
    expect(fromLocalInput('2027-09-10T09:00', 'Asia/Tokyo')).toBe('2027-09-10T09:00:00+09:00');
    expect(fromLocalInput('2027-03-14T19:30', 'America/New_York')).toBe('2027-03-14T19:30:00-04:00');
    expect(toLocalInput('2027-05-23T19:00:00Z', 'Europe/Paris')).toBe('2027-05-23T21:00');
    expect(fromLocalInput('', 'UTC')).toBeUndefined();
    expect(fromLocalInput('2027-05-23T21:00', 'Not/AZone')).toBeUndefined();
  });
  it('counts a hold down and stops at zero', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    expect(countdown('2026-11-24T10:14:05Z', now)).toBe('14:05');
    expect(countdown('2026-11-24T10:00:09Z', now)).toBe('0:09');
    expect(countdown('2026-11-24T09:59:00Z', now)).toBe('0:00');
  });
});

describe('search filters', () => {
  it('live in a shareable URL and become the API query', () => {
    const filters = fromQuery(new URLSearchParams('category=concert&city=London&junk=1'));
    expect(filters).toEqual({ q: '', category: 'concert', city: 'London', from: '', to: '' });
    expect(toQuery(filters)).toBe('?category=concert&city=London');
    expect(toApiQuery(filters)).toBe('/events?category=concert&city=London&sort=soonest&limit=20');
    expect(toApiQuery(filters, 'abc')).toContain('&cursor=abc');
    expect(toQuery(fromQuery(new URLSearchParams('')))).toBe('');
  });
  it('catch what a person can fix before asking', () => {
    expect(problems({ q: '', category: '', city: '', from: '2027-02-01', to: '2027-01-01' }).to).toMatch(/before/);
    expect(problems({ q: 'x'.repeat(101), category: '', city: '', from: '', to: '' }).q).toBeDefined();
    expect(problems(fromQuery(new URLSearchParams('from=2027-01-01&to=2027-01-01')))).toEqual({});
  });
});

describe('sales per tier', () => {
  const tiers = [
    { id: 'a', name: 'Stalls', priceMinor: 3500, capacity: 10, remaining: 5 },
    { id: 'b', name: 'Balcony', priceMinor: 2000, capacity: 4, remaining: 4 },
  ];
  it('splits taken seats into sold (confirmed) and held (waiting for payment)', () => {
    const rows = salesByTier(tiers, [
      { tierId: 'a', quantity: 2 },
      { tierId: 'a', quantity: 1 },
    ]);
    expect(rows[0]).toEqual({ id: 'a', name: 'Stalls', sold: 3, held: 2, remaining: 5, revenueMinor: 10500 });
    expect(rows[1]).toEqual({ id: 'b', name: 'Balcony', sold: 0, held: 0, remaining: 4, revenueMinor: 0 });
    expect(totals(rows)).toEqual({ sold: 3, held: 2, remaining: 9, revenueMinor: 10500 });
  });
  it('never shows a negative hold when the two reads disagree', () => {
    expect(salesByTier(tiers, [{ tierId: 'a', quantity: 7 }])[0].held).toBe(0);
  });
  it('joins CSV pages under one header', () => {
    expect(joinCsvPages(['h1,h2\n"a",1\n', 'h1,h2\n"b",2\n', 'h1,h2\n'])).toBe('h1,h2\n"a",1\n"b",2\n');
    expect(joinCsvPages(['h\n'])).toBe('h\n');
  });
});

describe('event form', () => {
  it('becomes the API request, with times in the event’s zone and prices in minor units', () => {
    const form = emptyForm();
    Object.assign(form, { title: 'Gig', timezone: 'Europe/London', currency: 'GBP', startsAt: '2027-03-14T19:30' });
    form.tiers = [{ name: 'Stalls', price: '35', capacity: '300', maxPerOrder: '8' }];
    const { body, errors } = toRequest(form);
    expect(errors).toEqual([]);
    expect(body).toMatchObject({
      title: 'Gig',
      venue: null,
      description: null,
      startsAt: '2027-03-14T19:30:00+00:00',
      endsAt: null,
      tiers: [{ name: 'Stalls', priceMinor: 3500, capacity: 300, maxPerOrder: 8 }],
    });
  });
  it('names its own errors like the API names fields', () => {
    const form = emptyForm();
    form.tiers = [{ name: 'A', price: 'free', capacity: '1.5', maxPerOrder: '2' }];
    const { body, errors } = toRequest(form);
    expect(body).toBeUndefined();
    expect(errors.map((e) => e.field)).toEqual(['tiers[0].priceMinor', 'tiers[0].capacity']);
  });
  it('puts the API’s field names in its messages into words', () => {
    expect(inWords('must be after startsAt')).toBe('must be after the start');
    expect(inWords('sales must close before the event ends')).toBe('sales must close before the event ends');
    expect(inWords('at most the tier capacity; maxPerOrder is 9')).toBe('at most the tier capacity; the most per order is 9');
  });
  it('is filled from an event, keeping tier ids so an edit keeps its tiers', () => {
    const event: OrganizerEvent = {
      id: 'e', title: 'T', description: null, category: 'match', status: 'draft', venue: null, timezone: 'Asia/Tokyo',
      currency: 'JPY', startsAt: { utc: '2027-09-10T00:00:00Z', local: '2027-09-10T09:00:00+09:00' }, endsAt: null,
      salesOpensAt: null, salesClosesAt: null, version: 3,
      tiers: [{ id: 'abc123abc123', name: 'Regular', priceMinor: 30000, currency: 'JPY', maxPerOrder: 5, remaining: 800, capacity: 800 }],
    };
    const form = formFromEvent(event);
    expect(form.startsAt).toBe('2027-09-10T09:00');
    expect(form.tiers[0]).toEqual({ id: 'abc123abc123', name: 'Regular', price: '30000', capacity: '800', maxPerOrder: '5' });
    expect(toRequest(form).body?.tiers).toEqual([{ id: 'abc123abc123', name: 'Regular', priceMinor: 30000, capacity: 800, maxPerOrder: 5 }]);
  });
});

describe('paths and session', () => {
  it('match routes and refuse redirects off the site', () => {
    expect(match('/e/:id', '/e/42')).toEqual({ id: '42' });
    expect(match('/e/:id', '/e/42/x')).toBeUndefined();
    expect(match('/organize/new', '/organize/new')).toEqual({});
    expect(safeNext('/tickets')).toBe('/tickets');
    for (const bad of ['//evil.example', 'https://evil.example', '/\\evil.example', null]) expect(safeNext(bad)).toBe('/');
  });
  it('refresh the access token before it expires', () => {
    expect(refreshDelay(900)).toBe(840_000);
    expect(refreshDelay(60)).toBe(48_000);
  });
  it('put API errors in words', () => {
    expect(words(401, 'invalid_credentials', 'the email or password is incorrect')).toMatch(/do not match/);
    expect(words(429, 'too_many_requests', '', 60)).toMatch(/60 seconds/);
    expect(words(500, 'internal_error', 'boom')).toMatch(/on our side/);
    expect(words(409, 'something_new', 'a message from the API')).toBe('a message from the API');
  });
});

describe('waiting room', () => {
  const place: QueuePlace = {
    eventId: 'e1',
    status: 'waiting',
    position: 120,
    ahead: 59,
    estimatedWaitSeconds: 60,
    opensAt: '2030-01-01T10:00:00Z',
    admissionToken: null,
    admissionTokenExpiresAt: null,
  };
  const room: RoomStatus = { status: 'open', opensAt: '2030-01-01T10:00:00Z', admitPerMinute: 60, admittedThrough: 100, seatsLeft: 40 };

  it('asks for its place only when its turn came, the order was drawn, or to stay alive', () => {
    expect(shouldAskPlace(place, room, 1)).toBe(false);
    expect(shouldAskPlace(place, { ...room, admittedThrough: 120 }, 1)).toBe(true);
    expect(shouldAskPlace({ ...place, status: 'pre_queue', position: null }, room, 1)).toBe(true);
    expect(shouldAskPlace({ ...place, status: 'pre_queue', position: null }, { ...room, status: 'before_opening' }, 1)).toBe(false);
    expect(shouldAskPlace(place, room, 15)).toBe(true);
  });

  it('says where the buyer stands from the cached status', () => {
    expect(waitingText(place, room)).toContain('number 120');
    expect(waitingText(place, room)).toContain('19 ahead');
    expect(waitingText(place, room)).toContain('less than a minute');
    expect(waitingText({ ...place, status: 'pre_queue', position: null }, room)).toContain('drawn at random');
    expect(waitingText(place, { ...room, seatsLeft: 0 })).toContain('Sold out for now');
    expect(aboutTime(150)).toBe('about 3 minutes');
    expect(aboutTime(7200)).toBe('about 2 h 0 min');
  });
});

describe('seat map', () => {
  // Row A: seats 1-3 at x 10, 20, 30; row B: seats 1-2 at x 15, 25 (staggered).
  const section: SectionView = {
    number: 1,
    name: 'Nord',
    tierId: 't1',
    rows: [
      {
        number: 1,
        label: 'A',
        seats: [
          { id: '1-1-1', label: '1', x: 10, y: 0, status: 'available', accessible: true },
          { id: '1-1-2', label: '2', x: 20, y: 0, status: 'sold' },
          { id: '1-1-3', label: '3', x: 30, y: 0, status: 'available' },
        ],
      },
      {
        number: 2,
        label: 'B',
        seats: [
          { id: '1-2-1', label: '1', x: 15, y: 10, status: 'available' },
          { id: '1-2-2', label: '2', x: 25, y: 10, status: 'blocked', restrictedView: true },
        ],
      },
    ],
  };
  it('names a seat as a screen reader should read it', () => {
    const [a, b] = section.rows;
    expect(seatLabel(section, a, a.seats[0], '€30.00')).toBe('Nord, row A, seat 1, €30.00, wheelchair space');
    expect(seatLabel(section, a, a.seats[1], '€30.00')).toBe('Nord, row A, seat 2, €30.00, taken');
    expect(seatLabel(section, b, b.seats[1], '€30.00')).toBe('Nord, row B, seat 2, €30.00, restricted view, taken');
  });
  it('draws a section in a box around its seats, each seat smaller than the gap', () => {
    expect(viewBox(section)).toBe('0 -10 40 30');
    expect(seatRadius(section)).toBe(4);
  });
  it('moves along a row with the arrows and to the nearest seat of the next row', () => {
    expect(moveCursor(section, { row: 0, seat: 0 }, 'ArrowRight')).toEqual({ row: 0, seat: 1 });
    expect(moveCursor(section, { row: 0, seat: 2 }, 'ArrowRight')).toEqual({ row: 0, seat: 2 });
    expect(moveCursor(section, { row: 0, seat: 0 }, 'ArrowLeft')).toEqual({ row: 0, seat: 0 });
    expect(moveCursor(section, { row: 0, seat: 2 }, 'ArrowDown')).toEqual({ row: 1, seat: 1 });
    expect(moveCursor(section, { row: 1, seat: 0 }, 'ArrowUp')).toEqual({ row: 0, seat: 0 });
    expect(moveCursor(section, { row: 0, seat: 1 }, 'ArrowUp')).toEqual({ row: 0, seat: 1 });
    expect(moveCursor(section, { row: 0, seat: 0 }, 'End')).toEqual({ row: 0, seat: 2 });
    expect(moveCursor(section, { row: 0, seat: 2 }, 'Home')).toEqual({ row: 0, seat: 0 });
  });
  it('picks and unpicks seats, never more than an order takes', () => {
    expect(togglePick([], 'a', 2)).toEqual(['a']);
    expect(togglePick(['a'], 'b', 2)).toEqual(['a', 'b']);
    expect(togglePick(['a', 'b'], 'c', 2)).toEqual(['a', 'b']);
    expect(togglePick(['a', 'b'], 'a', 2)).toEqual(['b']);
  });
  it('lets its organizer block free seats and give blocked ones back, naming their states', () => {
    const [, b] = section.rows;
    expect(seatLabel(section, b, b.seats[1], '€30.00', true)).toBe('Nord, row B, seat 2, €30.00, restricted view, blocked');
    expect([pickable('available'), pickable('blocked'), pickable('held')]).toEqual([true, false, false]);
    expect([pickable('available', true), pickable('blocked', true), pickable('sold', true)]).toEqual([true, true, false]);
    const status: Record<string, 'available' | 'blocked'> = { a: 'available', b: 'blocked', c: 'available' };
    expect(blockRequest(['a', 'b', 'c', 'gone'], (id) => status[id])).toEqual({ block: ['a', 'c'], unblock: ['b'] });
  });
    it('keeps the sections of the chosen tier', () => {
    const map: SeatMapView = { eventId: 'e', version: 1, seatCount: 5, sections: [section, { ...section, number: 2, tierId: 't2' }] };
    expect(sectionsOf(map, 't2').map((s) => s.number)).toEqual([2]);
  });
});

describe('retrying a booking', () => {
  it('keeps the idempotency key only when the outcome is unknown', () => {
    expect(outcomeUnknown(new ApiError(0, 'network', 'no answer'))).toBe(true);
    expect(outcomeUnknown(new ApiError(504, 'gateway_timeout', 'timed out'))).toBe(true);
    expect(outcomeUnknown(new ApiError(503, 'busy', 'busy'))).toBe(true);
    expect(outcomeUnknown(new ApiError(409, 'request_in_progress', 'still running'))).toBe(true);
    expect(outcomeUnknown(new ApiError(409, 'sold_out', 'sold out'))).toBe(false);
    expect(outcomeUnknown(new ApiError(422, 'validation_failed', 'bad card'))).toBe(false);
  });
});
