import { afterEach, describe, expect, it } from 'vitest';
import { formatCalendarDay } from './format';
import { setLanguage } from './i18n';
import {
  axisTicks,
  chartSummary,
  chartTitle,
  highest,
  periodKey,
  periodLabel,
  periodsOf,
  periodTotals,
  readout,
  seriesOf,
  stepPeriod,
  tableRows,
  totalsOf,
  type SalesOverTime,
  type SalesPoint,
} from './salesOverTime';

afterEach(() => setLanguage('en', []));

const point = (start: string, tierId: string, sold: number, revenueMinor: number, refunded = 0, refundedMinor = 0): SalesPoint => ({
  start,
  tierId,
  sold,
  revenueMinor,
  refunded,
  refundedMinor,
});

const tiers = [
  { id: 'stalls', name: 'Stalls' },
  { id: 'balcony', name: 'Balcony' },
];

const hourly: SalesOverTime = {
  eventId: 'e1',
  granularity: 'hour',
  timezone: 'Europe/Paris',
  tiers,
  points: [
    point('2030-01-01T13:00:00Z', 'balcony', 1, 2000),
    point('2030-01-01T10:00:00Z', 'stalls', 2, 4800),
    point('2030-01-01T13:00:00+00:00', 'stalls', 3, 9000, 1, 3000),
  ],
};

describe('periods', () => {
  it('are spelled one way: UTC hours whatever the offset, real calendar days', () => {
    expect(periodKey('2030-01-01T10:00:00Z', 'hour')).toBe('2030-01-01T10:00:00Z');
    expect(periodKey('2030-01-01T11:00:00+01:00', 'hour')).toBe('2030-01-01T10:00:00Z');
    expect(periodKey('2030-01-01T10:00:00.000Z', 'hour')).toBe('2030-01-01T10:00:00Z');
    expect(periodKey('2030-01-02', 'day')).toBe('2030-01-02');
    expect(periodKey('2030-02-30', 'day')).toBeUndefined();
    expect(periodKey('soon', 'hour')).toBeUndefined();
    expect(periodKey('2030-01-01T10:00:00Z', 'day')).toBeUndefined();
  });

  it('run from the first sale to the last, quiet hours and days filled in', () => {
    expect(periodsOf(hourly.points, 'hour')).toEqual({
      periods: ['2030-01-01T10:00:00Z', '2030-01-01T11:00:00Z', '2030-01-01T12:00:00Z', '2030-01-01T13:00:00Z'],
      filled: true,
    });
    const days = [point('2030-03-01', 'stalls', 1, 100), point('2030-02-27', 'stalls', 1, 100)];
    // Across the end of February (not a leap year), day by day.
    expect(periodsOf(days, 'day').periods).toEqual(['2030-02-27', '2030-02-28', '2030-03-01']);
    expect(periodsOf([], 'day')).toEqual({ periods: [], filled: true });
    expect(periodsOf([point('2030-01-01T10:00:00Z', 'stalls', 1, 100)], 'hour').periods).toEqual(['2030-01-01T10:00:00Z']);
  });

  it('keep only the active ones when the span is too long to draw every one', () => {
    const far = [point('2030-01-01T00:00:00Z', 'stalls', 1, 100), point('2030-06-01T00:00:00Z', 'stalls', 1, 100)];
    expect(periodsOf(far, 'hour', 100)).toEqual({ periods: ['2030-01-01T00:00:00Z', '2030-06-01T00:00:00Z'], filled: false });
    expect(seriesOf({ ...hourly, points: far }, 100).filled).toBe(false);
  });
});

describe('series per tier', () => {
  it('give each tier a value for every period, in the event’s tier order, zeros in quiet hours', () => {
    const series = seriesOf(hourly);
    expect(series.tiers.map((s) => s.name)).toEqual(['Stalls', 'Balcony']);
    expect(series.tiers[0].values.map((v) => v.sold)).toEqual([2, 0, 0, 3]);
    expect(series.tiers[1].values.map((v) => v.sold)).toEqual([0, 0, 0, 1]);
    expect(series.tiers[0].values[3]).toEqual({ period: '2030-01-01T13:00:00Z', sold: 3, revenueMinor: 9000, refunded: 1, refundedMinor: 3000 });
  });

  it('leave out tiers that sold nothing, and name a tier the event no longer lists by its id', () => {
    const data = { ...hourly, tiers: [{ id: 'stalls', name: 'Stalls' }, { id: 'boxes', name: 'Boxes' }] };
    expect(seriesOf(data).tiers.map((s) => s.name)).toEqual(['Stalls', 'balcony']);
  });

  it('add up points of one tier in one period', () => {
    const twice = { ...hourly, points: [point('2030-01-01T10:00:00Z', 'stalls', 1, 100), point('2030-01-01T11:00:00+01:00', 'stalls', 2, 200)] };
    expect(seriesOf(twice).tiers[0].values).toEqual([{ period: '2030-01-01T10:00:00Z', sold: 3, revenueMinor: 300, refunded: 0, refundedMinor: 0 }]);
  });

  it('stack per period: totals and the highest stack, in tickets or money', () => {
    const series = seriesOf(hourly);
    expect(periodTotals(series, 3)).toEqual({ sold: 4, revenueMinor: 11000, refunded: 1, refundedMinor: 3000 });
    expect(periodTotals(series, 1)).toEqual({ sold: 0, revenueMinor: 0, refunded: 0, refundedMinor: 0 });
    expect(highest(series, 'sold')).toBe(4);
    expect(highest(series, 'revenue')).toBe(11000);
    expect(highest(seriesOf({ ...hourly, points: [] }), 'sold')).toBe(0);
  });
});

describe('the data table', () => {
  it('has a row per tier and period with activity, oldest first, tiers in the event’s order', () => {
    const rows = tableRows(hourly);
    expect(rows.map((r) => [r.period, r.tierName, r.sold, r.revenueMinor, r.refunded, r.refundedMinor])).toEqual([
      ['2030-01-01T10:00:00Z', 'Stalls', 2, 4800, 0, 0],
      ['2030-01-01T13:00:00Z', 'Stalls', 3, 9000, 1, 3000],
      ['2030-01-01T13:00:00Z', 'Balcony', 1, 2000, 0, 0],
    ]);
    expect(totalsOf(rows)).toEqual({ sold: 6, revenueMinor: 15800, refunded: 1, refundedMinor: 3000 });
    expect(tableRows({ ...hourly, points: [] })).toEqual([]);
  });

  it('keeps a period with only refunds', () => {
    const refundOnly = { ...hourly, points: [point('2030-01-02T09:00:00Z', 'stalls', 0, 0, 2, 6000)] };
    expect(tableRows(refundOnly)).toEqual([
      { period: '2030-01-02T09:00:00Z', tierId: 'stalls', tierName: 'Stalls', sold: 0, revenueMinor: 0, refunded: 2, refundedMinor: 6000 },
    ]);
  });
});

describe('labels', () => {
  it('show hours in the event’s time zone, days as the calendar day they are', () => {
    expect(periodLabel('2030-01-01T10:00:00Z', 'hour', 'Europe/Paris', 'long', 'en-GB')).toBe('1 Jan 2030, 11:00');
    expect(periodLabel('2030-01-01T23:00:00Z', 'hour', 'Asia/Tokyo', 'long', 'en-GB')).toBe('2 Jan 2030, 08:00');
    expect(periodLabel('2030-07-01T10:00:00Z', 'hour', 'Europe/Paris', 'short', 'en-GB')).toBe('1 Jul, 12:00');
    expect(periodLabel('2030-01-02', 'day', 'Pacific/Auckland', 'long', 'en-GB')).toBe('2 Jan 2030');
    expect(periodLabel('2030-01-02', 'day', 'America/Los_Angeles', 'long', 'fr-FR')).toBe('2 janv. 2030');
    // An unknown zone falls back to UTC rather than failing.
    expect(periodLabel('2030-01-01T10:00:00Z', 'hour', 'Not/AZone', 'long', 'en-GB')).toBe('1 Jan 2030, 10:00');
    expect(formatCalendarDay('2030-13-01')).toBe('');
  });

  it('name the chart and sum it up in a sentence', () => {
    expect(chartTitle('sold', 'hour')).toBe('Tickets sold per hour, by tier');
    expect(chartTitle('revenue', 'day')).toBe('Revenue per day, by tier');
    setLanguage('en', ['en-GB']);
    expect(chartSummary(hourly, 'EUR')).toBe('1 Jan 2030, 11:00 to 1 Jan 2030, 14:00: 6 tickets sold, €158.00 in revenue.');
    const oneDay = { ...hourly, granularity: 'day' as const, points: [point('2030-01-01', 'stalls', 1, 2500)] };
    expect(chartSummary(oneDay, 'EUR')).toBe('1 Jan 2030: 1 ticket sold, €25.00 in revenue.');
    expect(chartSummary({ ...hourly, points: [] }, 'EUR')).toBe('No sales yet.');
    setLanguage('fr', ['fr-FR']);
    expect(chartTitle('sold', 'day')).toBe('Billets vendus par jour, par catégorie');
    expect(chartSummary(oneDay, 'EUR').replace(/\s/g, ' ')).toBe('1 janv. 2030 : 1 billet vendu, 25,00 € de recettes.');
  });

  it('read one period out, tier by tier', () => {
    setLanguage('en', ['en-GB']);
    const series = seriesOf(hourly);
    expect(readout(series, 3, 'sold', 'hour', 'Europe/Paris', 'EUR')).toBe('1 Jan 2030, 14:00: 4 tickets sold (Stalls: 3; Balcony: 1)');
    expect(readout(series, 1, 'sold', 'hour', 'Europe/Paris', 'EUR')).toBe('1 Jan 2030, 12:00: 0 tickets sold (Stalls: 0; Balcony: 0)');
    expect(readout(series, 0, 'revenue', 'hour', 'Europe/Paris', 'EUR')).toBe('1 Jan 2030, 11:00: €48.00 in revenue (Stalls: €48.00; Balcony: €0.00)');
  });

  it('name at most a handful of periods on the axis, at an even step', () => {
    const hours = Array.from({ length: 48 }, (_, i) => `h${i}`);
    expect(axisTicks(hours.slice(0, 5), 'hour')).toEqual(hours.slice(0, 5));
    expect(axisTicks(hours, 'hour', 8)).toEqual(['h0', 'h6', 'h12', 'h18', 'h24', 'h30', 'h36', 'h42']);
    expect(axisTicks(hours, 'day', 8)).toEqual(['h0', 'h7', 'h14', 'h21', 'h28', 'h35', 'h42']);
  });
});

describe('the keyboard on the chart', () => {
  it('steps through periods with the arrows, jumps with Home, End and the page keys, and stays inside', () => {
    expect(stepPeriod(undefined, 'ArrowRight', 5)).toBe(0);
    expect(stepPeriod(undefined, 'ArrowLeft', 5)).toBe(4);
    expect(stepPeriod(2, 'ArrowRight', 5)).toBe(3);
    expect(stepPeriod(4, 'ArrowRight', 5)).toBe(4);
    expect(stepPeriod(0, 'ArrowLeft', 5)).toBe(0);
    expect(stepPeriod(2, 'Home', 5)).toBe(0);
    expect(stepPeriod(2, 'End', 5)).toBe(4);
    expect(stepPeriod(1, 'PageUp', 30)).toBe(11);
    expect(stepPeriod(3, 'PageDown', 30)).toBe(0);
    expect(stepPeriod(2, 'Tab', 5)).toBeUndefined();
    expect(stepPeriod(undefined, 'ArrowRight', 0)).toBeUndefined();
  });
});
