// Sales over time, from GET /events/{id}/sales-over-time: the API's points (only
// hours or days with activity) turned into what the chart and its table show: every
// period from the first sale to the last (quiet ones at zero), one series per tier,
// totals, labels in the event's time zone, and the keyboard's walk through periods.

import { formatCalendarDay, formatDateTime, formatMoney } from './format';
import { t } from './i18n';

export type Granularity = 'hour' | 'day';
export type Measure = 'sold' | 'revenue';

export interface SalesPoint {
  /** An RFC 3339 UTC hour, or a `YYYY-MM-DD` day in the event's zone. */
  start: string;
  tierId: string;
  sold: number;
  revenueMinor: number;
  refunded: number;
  refundedMinor: number;
}

export interface SalesOverTime {
  eventId: string;
  granularity: Granularity;
  timezone: string;
  tiers: { id: string; name: string }[];
  points: SalesPoint[];
}

export interface Figures {
  sold: number;
  revenueMinor: number;
  refunded: number;
  refundedMinor: number;
}

/** One tier in one period (zeros in a quiet one). */
export interface SeriesValue extends Figures {
  period: string;
}

export interface TierSeries {
  tierId: string;
  name: string;
  values: SeriesValue[];
}

export interface Series {
  /** The periods shown, oldest first: every one from first to last, unless too many. */
  periods: string[];
  /** False when the span had more periods than the chart draws: only active ones are in `periods`. */
  filled: boolean;
  tiers: TierSeries[];
}

/** A row of the data table: one tier in one period with activity. */
export interface TableRow extends Figures {
  period: string;
  tierId: string;
  tierName: string;
}

/** More periods than this are not filled in (four months of hours, eleven years of days). */
export const MAX_PERIODS = 3000;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const ZERO: Figures = { sold: 0, revenueMinor: 0, refunded: 0, refundedMinor: 0 };

/**
 * A period as one spelling: hours as `2030-01-01T10:00:00Z` whatever offset the API
 * wrote, days as they are; undefined when it is not a period of that granularity.
 */
export function periodKey(start: string, granularity: Granularity): string | undefined {
  if (granularity === 'day') {
    return validDay(start) ? start : undefined;
  }
  const at = Date.parse(start);
  if (Number.isNaN(at)) return undefined;
  return `${new Date(at).toISOString().slice(0, 13)}:00:00Z`;
}

function validDay(day: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return false;
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(at).toISOString().slice(0, 10) === day;
}

function instant(key: string, granularity: Granularity): number {
  return granularity === 'day' ? Date.parse(`${key}T00:00:00Z`) : Date.parse(key);
}

function keyAt(at: number, granularity: Granularity): string {
  const iso = new Date(at).toISOString();
  return granularity === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 13)}:00:00Z`;
}

/**
 * The periods from the first with activity to the last, oldest first, the quiet
 * ones between included; only the active ones when the span is longer than `max`.
 */
export function periodsOf(points: SalesPoint[], granularity: Granularity, max = MAX_PERIODS): { periods: string[]; filled: boolean } {
  const active = [...new Set(points.map((p) => periodKey(p.start, granularity)).filter((k): k is string => !!k))].sort(
    (a, b) => instant(a, granularity) - instant(b, granularity),
  );
  if (active.length < 2) return { periods: active, filled: true };
  const step = granularity === 'day' ? DAY : HOUR;
  const first = instant(active[0], granularity);
  const last = instant(active[active.length - 1], granularity);
  const count = Math.round((last - first) / step) + 1;
  if (count > max) return { periods: active, filled: false };
  return { periods: Array.from({ length: count }, (_, i) => keyAt(first + i * step, granularity)), filled: true };
}

/** Tiers in the event's order, then any tier the figures name that the event no longer lists. */
function tierNames(data: SalesOverTime): Map<string, string> {
  const names = new Map(data.tiers.map((tier) => [tier.id, tier.name]));
  for (const p of data.points) if (!names.has(p.tierId)) names.set(p.tierId, p.tierId);
  return names;
}

function add(a: Figures, b: Figures): Figures {
  return {
    sold: a.sold + b.sold,
    revenueMinor: a.revenueMinor + b.revenueMinor,
    refunded: a.refunded + b.refunded,
    refundedMinor: a.refundedMinor + b.refundedMinor,
  };
}

/** The figures per tier and period (points of one tier and period added up), by tier then period. */
function byTierAndPeriod(data: SalesOverTime): Map<string, Map<string, Figures>> {
  const out = new Map<string, Map<string, Figures>>();
  for (const p of data.points) {
    const key = periodKey(p.start, data.granularity);
    if (!key) continue;
    const tier = out.get(p.tierId) ?? new Map<string, Figures>();
    tier.set(key, add(tier.get(key) ?? ZERO, p));
    out.set(p.tierId, tier);
  }
  return out;
}

/** One series per tier that sold or refunded anything, each with a value for every period shown. */
export function seriesOf(data: SalesOverTime, max = MAX_PERIODS): Series {
  const { periods, filled } = periodsOf(data.points, data.granularity, max);
  const figures = byTierAndPeriod(data);
  const tiers: TierSeries[] = [];
  for (const [tierId, name] of tierNames(data)) {
    const own = figures.get(tierId);
    if (!own) continue;
    tiers.push({ tierId, name, values: periods.map((period) => ({ period, ...(own.get(period) ?? ZERO) })) });
  }
  return { periods, filled, tiers };
}

/** The table's rows: periods with activity, oldest first, tiers in the event's order within each. */
export function tableRows(data: SalesOverTime): TableRow[] {
  const names = tierNames(data);
  const order = [...names.keys()];
  const figures = byTierAndPeriod(data);
  const rows: TableRow[] = [];
  for (const [tierId, periods] of figures) {
    for (const [period, f] of periods) rows.push({ period, tierId, tierName: names.get(tierId) ?? tierId, ...f });
  }
  return rows.sort(
    (a, b) => instant(a.period, data.granularity) - instant(b.period, data.granularity) || order.indexOf(a.tierId) - order.indexOf(b.tierId),
  );
}

export function totalsOf(rows: Figures[]): Figures {
  return rows.reduce<Figures>((sum, r) => add(sum, r), ZERO);
}

/** What the chart draws for one tier in one period. */
export function measured(f: Figures, measure: Measure): number {
  return measure === 'sold' ? f.sold : f.revenueMinor;
}

/** All tiers' figures in one period. */
export function periodTotals(series: Series, index: number): Figures {
  return totalsOf(series.tiers.map((tier) => tier.values[index] ?? ZERO));
}

/** The highest stack the chart draws (the y scale's top). */
export function highest(series: Series, measure: Measure): number {
  let top = 0;
  for (let i = 0; i < series.periods.length; i++) top = Math.max(top, measured(periodTotals(series, i), measure));
  return top;
}

/** A time zone Intl knows, else UTC (an event's zone comes from the API: it should always be known). */
export function knownZone(timezone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return timezone;
  } catch {
    return 'UTC';
  }
}

/**
 * A period in words, in the event's zone: `long` for the table and the readout
 * ("Jan 1, 2030, 11:00 AM"), `short` for the chart's axis ("Jan 1, 11 AM").
 */
export function periodLabel(key: string, granularity: Granularity, timezone: string, style: 'long' | 'short' = 'long', locale?: string): string {
  if (granularity === 'day') {
    return formatCalendarDay(key, style === 'long' ? { dateStyle: 'medium' } : { month: 'short', day: 'numeric' }, locale);
  }
  const timeZone = knownZone(timezone);
  const options: Intl.DateTimeFormatOptions =
    style === 'long' ? { dateStyle: 'medium', timeStyle: 'short', timeZone } : { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone };
  return formatDateTime(key, options, locale);
}

/** Which periods the axis names: at most about `most`, at an even step (1, 2, 3, 6, 12 hours, a day…). */
export function axisTicks(periods: string[], granularity: Granularity, most = 8): string[] {
  if (periods.length <= most) return periods;
  const steps = granularity === 'hour' ? [1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 720] : [1, 2, 7, 14, 28, 56, 91, 182, 364];
  const wanted = periods.length / most;
  const step = steps.find((s) => s >= wanted) ?? Math.ceil(wanted);
  return periods.filter((_, i) => i % step === 0);
}

/** Where the keyboard goes from `index` among `count` periods; undefined for keys it leaves alone. */
export function stepPeriod(index: number | undefined, key: string, count: number): number | undefined {
  if (count === 0) return undefined;
  const last = count - 1;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowUp':
      return index === undefined ? 0 : Math.min(last, index + 1);
    case 'ArrowLeft':
    case 'ArrowDown':
      return index === undefined ? last : Math.max(0, index - 1);
    case 'Home':
      return 0;
    case 'End':
      return last;
    case 'PageUp':
      return index === undefined ? 0 : Math.min(last, index + 10);
    case 'PageDown':
      return index === undefined ? last : Math.max(0, index - 10);
    default:
      return undefined;
  }
}

/** A measure's value in words: a count, or money in the event's currency. */
export function measureText(value: number, measure: Measure, currency: string, locale?: string): string {
  return measure === 'sold' ? new Intl.NumberFormat(locale).format(value) : formatMoney(value, currency, locale);
}

/** The chart's name ("Tickets sold per hour, by tier"). */
export function chartTitle(measure: Measure, granularity: Granularity): string {
  return t('salesChart.chartTitle', {
    measure: t(measure === 'sold' ? 'salesChart.sold' : 'salesChart.revenue'),
    per: t(granularity === 'hour' ? 'salesChart.perHour' : 'salesChart.perDay'),
  });
}

/** The whole chart in a sentence, for its accessible name: the span, tickets and revenue. */
export function chartSummary(data: SalesOverTime, currency: string): string {
  const rows = tableRows(data);
  if (rows.length === 0) return t('salesChart.none');
  const sum = totalsOf(rows);
  const from = periodLabel(rows[0].period, data.granularity, data.timezone);
  const to = periodLabel(rows[rows.length - 1].period, data.granularity, data.timezone);
  const range = from === to ? from : t('salesChart.range', { from, to });
  return t('salesChart.summary', { range, count: sum.sold, revenue: formatMoney(sum.revenueMinor, currency) });
}

/** One period read out ("Jan 1, 2030, 11:00 AM: 2 tickets sold (Stalls: 2)"). */
export function readout(series: Series, index: number, measure: Measure, granularity: Granularity, timezone: string, currency: string): string {
  const period = periodLabel(series.periods[index], granularity, timezone);
  const details = series.tiers
    .map((tier) => t('salesChart.tierValue', { tier: tier.name, value: measureText(measured(tier.values[index] ?? ZERO, measure), measure, currency) }))
    .join('; ');
  const total = periodTotals(series, index);
  return measure === 'sold'
    ? t('salesChart.readout.sold', { period, count: total.sold, details })
    : t('salesChart.readout.revenue', { period, amount: formatMoney(total.revenueMinor, currency), details });
}
