import { afterEach, describe, expect, it } from 'vitest';
import { describe as words } from './api';
import { emptyForm, formFromEvent, toRequest, type OrganizerEvent } from './eventForm';
import { setLanguage } from './i18n';
import {
  checkPath,
  codeFor,
  discountText,
  emptyPromoForm,
  listNames,
  orderPrice,
  promoFieldErrors,
  promoRequest,
  reservationPrice,
  usesText,
  withCode,
  type CodeCheck,
  type ListedTier,
  type PromoForm,
} from './promo';

afterEach(() => setLanguage('en', []));

const form = (changes: Partial<PromoForm>): PromoForm => ({ ...emptyPromoForm(), ...changes });

describe('creating a code', () => {
  it('becomes the API request: a percentage, a limit in tickets, tiers once each, a window in the event’s zone', () => {
    const { body, errors } = promoRequest(
      form({
        code: '  FanClub-2027 ',
        kind: 'percent',
        value: '20',
        maxUses: '500',
        tierIds: ['t1', 't2', 't1'],
        validFrom: '2027-05-01T10:00',
        validUntil: '2027-06-01T00:00',
      }),
      'EUR',
      'Europe/Paris',
    );
    expect(errors).toEqual({});
    expect(body).toEqual({
      code: 'FanClub-2027',
      percentOff: 20,
      maxUses: 500,
      tierIds: ['t1', 't2'],
      validFrom: '2027-05-01T10:00:00+02:00',
      validUntil: '2027-06-01T00:00:00+02:00',
    });
  });

  it('reads an amount off each ticket in the event’s currency, and leaves out what was not filled', () => {
    expect(promoRequest(form({ code: 'FIVE', kind: 'amount', value: '2.50' }), 'EUR', 'UTC').body).toEqual({ code: 'FIVE', amountOffMinor: 250 });
    expect(promoRequest(form({ code: 'YEN', kind: 'amount', value: '500' }), 'JPY', 'UTC').body).toEqual({ code: 'YEN', amountOffMinor: 500 });
  });

  it('sends an access code without a discount, naming the tiers it opens; it needs at least one', () => {
    expect(promoRequest(form({ code: 'MEMBERS', kind: 'access', value: '15', tierIds: ['hidden1'] }), 'EUR', 'UTC').body).toEqual({
      code: 'MEMBERS',
      tierIds: ['hidden1'],
    });
    const { body, errors } = promoRequest(form({ code: 'MEMBERS', kind: 'access' }), 'EUR', 'UTC');
    expect(body).toBeUndefined();
    expect(errors).toEqual({ tiers: 'An access code opens hidden tiers: tick at least one.' });
  });

  it('names each problem next to its input before asking the API', () => {
    const { body, errors } = promoRequest(
      form({ code: 'no spaces!', kind: 'percent', value: '12.5', maxUses: '0', validFrom: '2027-06-01T00:00', validUntil: '2027-05-01T00:00' }),
      'EUR',
      'UTC',
    );
    expect(body).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(['code', 'maxUses', 'validUntil', 'value']);
    expect(errors.validUntil).toBe('The end of validity must come after its start.');
    expect(promoRequest(form({ code: 'AB', kind: 'percent', value: '10' }), 'EUR', 'UTC').errors.code).toBeDefined();
    expect(promoRequest(form({ code: 'x'.repeat(41), kind: 'percent', value: '10' }), 'EUR', 'UTC').errors.code).toBeDefined();
    for (const value of ['0', '101', '', 'ten']) {
      expect(promoRequest(form({ code: 'ABC', kind: 'percent', value }), 'EUR', 'UTC').errors.value).toBe('Enter a whole percentage from 1 to 100.');
    }
    for (const value of ['0', '0.001', '', '-2']) {
      expect(promoRequest(form({ code: 'ABC', kind: 'amount', value }), 'EUR', 'UTC').errors.value).toBe('Enter an amount such as 5 or 2.50.');
    }
    expect(promoRequest(form({ code: 'ABC', kind: 'percent', value: '5', maxUses: '1000001' }), 'EUR', 'UTC').errors.maxUses).toMatch(/1,000,000/);
    expect(promoRequest(form({ code: 'ABC', kind: 'percent', value: '5', validFrom: '2027-13-01' }), 'EUR', 'UTC').errors.validFrom).toBe('Enter a date and time.');
  });

  it('puts the API’s field errors next to the inputs, in the reader’s words', () => {
    const fields = [
      { field: 'code', message: "must be 3 to 40 letters, digits, '-' or '_'" },
      { field: 'maxUses', message: 'must be a whole number from 1 to 1000000 (tickets)' },
      { field: 'tierIds[1]', message: 'is not a tier of this event' },
      { field: 'validUntil', message: 'must be after validFrom' },
    ];
    expect(promoFieldErrors(fields, 'percent')).toEqual({
      code: 'Use 3 to 40 letters, digits, - or _.',
      maxUses: 'Enter a whole number of tickets from 1 to 1,000,000.',
      tiers: 'Tick tiers of this event; reload the page if its tiers changed.',
      validUntil: 'The end of validity must come after its start.',
    });
    const noDiscount = [{ field: 'percentOff', message: 'a code needs a discount (percentOff or amountOffMinor), or tierIds naming the hidden tiers it unlocks' }];
    expect(promoFieldErrors(noDiscount, 'access')).toEqual({ tiers: 'An access code opens hidden tiers: tick at least one.' });
    expect(promoFieldErrors(noDiscount, 'percent')).toEqual({ tiers: 'An access code opens hidden tiers: tick at least one.' });
    expect(promoFieldErrors([{ field: 'percentOff', message: 'must be a whole number from 1 to 100' }], 'percent')).toEqual({
      value: 'Enter a whole percentage from 1 to 100.',
    });
    expect(promoFieldErrors([{ field: 'amountOffMinor', message: 'must be at least 1' }], 'amount').value).toBe('Enter an amount such as 5 or 2.50.');
    expect(promoFieldErrors([{ field: 'validFrom', message: 'must be an RFC 3339 instant' }], 'amount')).toEqual({ validFrom: 'Enter a date and time.' });
    expect(promoFieldErrors([{ field: 'surprise', message: 'is not a known field' }], 'amount')).toEqual({ other: 'surprise: is not a known field' });
  });

  it('says what it does, in both languages', () => {
    expect(discountText({ percentOff: 20 }, 'EUR')).toBe('20% off each ticket');
    expect(discountText({ amountOffMinor: 500, percentOff: null }, 'GBP')).toBe('£5.00 off each ticket');
    expect(discountText({}, 'EUR')).toBe('Access only, no discount');
    expect(usesText({ uses: 3, maxUses: 10 })).toBe('3 of 10');
    expect(usesText({ uses: 1200 })).toBe('1,200 (no limit)');
    expect(listNames(['Stalls', 'Balcony', 'Boxes'], 'en')).toBe('Stalls, Balcony, and Boxes');
    setLanguage('fr', ['fr-FR']);
    expect(discountText({ percentOff: 20 }, 'EUR')).toBe('20\u00a0% de réduction sur chaque billet');
    expect(discountText({ amountOffMinor: 500 }, 'EUR').replace(/\s/g, ' ')).toBe('5,00 € de réduction sur chaque billet');
    expect(usesText({ uses: 3, maxUses: 10 })).toBe('3 sur 10');
    expect(listNames(['Fosse', 'Balcon'])).toBe('Fosse et Balcon');
  });
});

describe('a buyer’s code', () => {
  const listed: ListedTier[] = [
    { id: 'stalls', name: 'Stalls', priceMinor: 3000, currency: 'EUR', maxPerOrder: 4, remaining: 10 },
    { id: 'balcony', name: 'Balcony', priceMinor: 2000, currency: 'EUR', maxPerOrder: 4, remaining: 0 },
  ];
  const check: CodeCheck = {
    code: 'FANCLUB',
    percentOff: 20,
    amountOffMinor: null,
    validUntil: null,
    tiers: [
      { id: 'stalls', name: 'Stalls', priceMinor: 3000, discountedPriceMinor: 2400, currency: 'EUR', maxPerOrder: 4, remaining: 9, seated: false, hidden: false },
      { id: 'members', name: 'Members', priceMinor: 2500, discountedPriceMinor: 2000, currency: 'EUR', maxPerOrder: 2, remaining: 5, seated: true, hidden: true },
    ],
  };

  it('prices the tiers it applies to and shows the hidden ones it opens, after the listed ones', () => {
    expect(withCode(listed)).toBe(listed);
    const tiers = withCode(listed, check);
    expect(tiers.map((t) => [t.id, t.discountedPriceMinor, t.hidden])).toEqual([
      ['stalls', 2400, undefined],
      ['balcony', undefined, undefined],
      ['members', 2000, true],
    ]);
    // The listed tiers' seats stay the live ones.
    expect(tiers[0].remaining).toBe(10);
    expect(tiers[2]).toMatchObject({ name: 'Members', priceMinor: 2500, maxPerOrder: 2, remaining: 5, seated: true });
  });

  it('goes with an order only of a tier it applies to', () => {
    const tiers = withCode(listed, check);
    expect(codeFor(tiers[0], check)).toBe('FANCLUB');
    expect(codeFor(tiers[1], check)).toBeUndefined();
    expect(codeFor(tiers[2], check)).toBe('FANCLUB');
    expect(codeFor(tiers[0], undefined)).toBeUndefined();
    expect(codeFor(undefined, check)).toBeUndefined();
  });

  it('discounts each ticket alike, as the API counts an order', () => {
    const [stalls, balcony, members] = withCode(listed, check);
    expect(orderPrice(stalls, 3)).toEqual({ originalMinor: 9000, discountMinor: 1800, totalMinor: 7200 });
    expect(orderPrice(balcony, 2)).toEqual({ originalMinor: 4000, discountMinor: 0, totalMinor: 4000 });
    expect(orderPrice(members, 0)).toEqual({ originalMinor: 0, discountMinor: 0, totalMinor: 0 });
    expect(orderPrice({ ...stalls, discountedPriceMinor: -5 }, 2).totalMinor).toBe(0);
    expect(orderPrice({ ...stalls, discountedPriceMinor: 9999 }, 1).totalMinor).toBe(3000);
  });

  it('is checked at its own address, whatever was typed', () => {
    expect(checkPath('e1', ' fanclub ')).toBe('/events/e1/promo-codes/fanclub');
    expect(checkPath('e1', 'a/b?c')).toBe('/events/e1/promo-codes/a%2Fb%3Fc');
  });

  it('shows on the reservation as the price before it, the discount and what is paid', () => {
    expect(reservationPrice({ amountMinor: 6000 })).toBeUndefined();
    expect(reservationPrice({ amountMinor: 4800, promo: { code: 'FANCLUB', originalAmountMinor: 6000, discountMinor: 1200 } })).toEqual({
      code: 'FANCLUB',
      originalMinor: 6000,
      discountMinor: 1200,
      totalMinor: 4800,
    });
  });

  it('is refused in words in both languages, one message per reason', () => {
    const codes = ['promo_code_unknown', 'promo_code_expired', 'promo_code_not_yet_valid', 'promo_code_not_for_tier', 'promo_code_used_up', 'promo_code_exists'];
    for (const language of ['en', 'fr'] as const) {
      setLanguage(language, []);
      const texts = codes.map((code) => words(422, code, 'server words'));
      expect(texts.every((text) => text !== 'server words')).toBe(true);
      expect(new Set(texts).size).toBe(codes.length);
    }
    setLanguage('en', []);
    expect(words(409, 'promo_code_used_up', '')).toMatch(/not enough uses left/);
  });
});

describe('hidden tiers in the event form', () => {
  const event: OrganizerEvent = {
    id: 'e', title: 'T', description: null, category: 'concert', status: 'published', venue: null, timezone: 'UTC', currency: 'EUR',
    startsAt: null, endsAt: null, salesOpensAt: null, salesClosesAt: null, version: 1,
    tiers: [
      { id: 'listed000001', name: 'Stalls', priceMinor: 3000, currency: 'EUR', maxPerOrder: 4, remaining: 10, capacity: 10 },
      { id: 'hidden000001', name: 'Members', priceMinor: 2500, currency: 'EUR', maxPerOrder: 2, remaining: 5, capacity: 5, hidden: true },
    ],
  };

  it('are read from the event and sent as hidden, so an edit keeps them hidden', () => {
    const filled = formFromEvent(event);
    expect(filled.tiers.map((t) => t.hidden)).toEqual([undefined, true]);
    const tiers = toRequest(filled).body?.tiers as Record<string, unknown>[];
    expect(tiers[0]).not.toHaveProperty('hidden');
    expect(tiers[1]).toMatchObject({ id: 'hidden000001', hidden: true });
  });

  it('are listed again once unticked, and a new tier may start hidden', () => {
    const filled = formFromEvent(event);
    filled.tiers = [filled.tiers[0], { ...filled.tiers[1], hidden: undefined }];
    expect(toRequest(filled).body?.tiers).toEqual([
      { id: 'listed000001', name: 'Stalls', priceMinor: 3000, capacity: 10, maxPerOrder: 4 },
      { id: 'hidden000001', name: 'Members', priceMinor: 2500, capacity: 5, maxPerOrder: 2 },
    ]);
    const fresh = emptyForm();
    fresh.tiers = [{ name: 'Presale', price: '20', capacity: '50', maxPerOrder: '2', hidden: true }];
    expect(toRequest(fresh).body?.tiers).toEqual([{ name: 'Presale', priceMinor: 2000, capacity: 50, maxPerOrder: 2, hidden: true }]);
  });
});
