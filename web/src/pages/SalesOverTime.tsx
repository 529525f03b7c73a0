// The organizer's sales over time for one event: tickets sold or revenue per hour or
// per day, stacked by tier (Observable Plot, SVG, loaded only when this section is
// shown), with a keyboard readout period by period and the same figures as a table.
// Times are the event's; money is the event's currency.

import type { Markish } from '@observablehq/plot';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Loading, Notice } from '../components';
import type { OrganizerEvent } from '../eventForm';
import { formatMoney } from '../format';
import { currentLocale, t } from '../i18n';
import {
  axisTicks,
  chartSummary,
  chartTitle,
  highest,
  measured,
  measureText,
  periodLabel,
  readout,
  seriesOf,
  stepPeriod,
  tableRows,
  totalsOf,
  type Granularity,
  type Measure,
  type SalesOverTime as Figures,
  type Series,
} from '../salesOverTime';

type PlotModule = typeof import('@observablehq/plot');

let plotModule: Promise<PlotModule> | undefined;

/** Observable Plot, in a chunk of its own: only organizers looking at sales fetch it. */
function loadPlot(): Promise<PlotModule> {
  plotModule ??= import('@observablehq/plot').catch((err: unknown) => {
    plotModule = undefined;
    throw err;
  });
  return plotModule;
}

export function SalesOverTime({ event }: { event: OrganizerEvent }) {
  const [granularity, setGranularity] = useState<Granularity>('hour');
  const [measure, setMeasure] = useState<Measure>('sold');
  const [data, setData] = useState<Figures>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [showTable, setShowTable] = useState(false);
  const latest = useRef(0);

  const load = async () => {
    const asked = ++latest.current;
    setBusy(true);
    try {
      const answer = await request<Figures>(`/events/${encodeURIComponent(event.id)}/sales-over-time?granularity=${granularity}`);
      if (asked !== latest.current) return;
      setData(answer);
      setError(undefined);
    } catch (err) {
      if (asked !== latest.current) return;
      setError(err instanceof ApiError ? err.message : t('common.failed'));
    } finally {
      if (asked === latest.current) setBusy(false);
    }
  };
  useEffect(() => void load(), [event.id, granularity]);

  const rows = useMemo(() => (data ? tableRows(data) : []), [data]);
  const timezone = data?.timezone ?? event.timezone;
  const money = (minor: number) => formatMoney(minor, event.currency);
  const sum = totalsOf(rows);
  const shownGranularity = data?.granularity ?? granularity;

  const choice = <V extends string>(name: string, value: V, current: V, label: string, onPick: (v: V) => void) => (
    <label class="check" key={value}>
      <input type="radio" name={name} value={value} checked={current === value} onChange={() => onPick(value)} />
      {label}
    </label>
  );

  return (
    <section class="sales-over-time" aria-labelledby="sales-time-title" aria-busy={busy}>
      <h2 id="sales-time-title">{t('salesChart.title')}</h2>
      <p class="hint">{t('salesChart.intro')}</p>
      <div class="chart-controls">
        <fieldset class="checks">
          <legend>{t('salesChart.granularity')}</legend>
          {choice('sales-granularity', 'hour', granularity, t('salesChart.hour'), setGranularity)}
          {choice('sales-granularity', 'day', granularity, t('salesChart.day'), setGranularity)}
        </fieldset>
        <fieldset class="checks">
          <legend>{t('salesChart.measure')}</legend>
          {choice('sales-measure', 'sold', measure, t('salesChart.sold'), setMeasure)}
          {choice('sales-measure', 'revenue', measure, t('salesChart.revenue'), setMeasure)}
        </fieldset>
        <button type="button" class="secondary" disabled={busy} onClick={() => void load()}>
          {t('salesChart.refresh')}
        </button>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {!data && !error && <Loading text={t('salesChart.loading')} />}
      {data && rows.length === 0 && <p class="empty">{t('salesChart.none')}</p>}
      {data && rows.length > 0 && (
        <>
          <Chart key={data.granularity} data={data} measure={measure} currency={event.currency} />
          <p class="hint">{t('salesChart.zone', { zone: timezone.replace(/_/g, ' ') })}</p>
          <p>
            <button
              type="button"
              class="secondary"
              aria-expanded={showTable}
              aria-controls="sales-time-table"
              onClick={() => setShowTable(!showTable)}
            >
              {showTable ? t('salesChart.table.hide') : t('salesChart.table.show')}
            </button>
          </p>
          <table class="list sales-time-table" id="sales-time-table" hidden={!showTable}>
            <caption>
              {t(shownGranularity === 'hour' ? 'salesChart.caption.hour' : 'salesChart.caption.day', { zone: timezone.replace(/_/g, ' ') })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t(shownGranularity === 'hour' ? 'salesChart.hour' : 'salesChart.day')}</th>
                <th scope="col">{t('field.tier')}</th>
                <th scope="col">{t('sales.sold')}</th>
                <th scope="col">{t('sales.revenue')}</th>
                <th scope="col">{t('salesChart.col.refunded')}</th>
                <th scope="col">{t('salesChart.col.refundedAmount')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.period} ${r.tierId}`}>
                  <th scope="row">{periodLabel(r.period, shownGranularity, timezone)}</th>
                  <td>{r.tierName}</td>
                  <td>{r.sold}</td>
                  <td>{money(r.revenueMinor)}</td>
                  <td>{r.refunded}</td>
                  <td>{money(r.refundedMinor)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('sales.total')}</th>
                <td />
                <td>{sum.sold}</td>
                <td>{money(sum.revenueMinor)}</td>
                <td>{sum.refunded}</td>
                <td>{money(sum.refundedMinor)}</td>
              </tr>
            </tfoot>
          </table>
        </>
      )}
    </section>
  );
}

/**
 * The chart: a focusable image named by its title and a one-sentence summary; the
 * arrow keys pick a period, ringed on the chart and read out below it.
 */
function Chart({ data, measure, currency }: { data: Figures; measure: Measure; currency: string }) {
  const box = useRef<HTMLDivElement>(null);
  const series = useMemo(() => seriesOf(data), [data]);
  const [picked, setPicked] = useState<number>();
  const [width, setWidth] = useState(0);
  const [failed, setFailed] = useState(false);
  const index = picked !== undefined && picked < series.periods.length ? picked : undefined;
  const locale = currentLocale();

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    setWidth(element.clientWidth);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (!width) return;
    let live = true;
    loadPlot()
      .then((Plot) => {
        if (!live || !box.current) return;
        const figure = draw(Plot, { series, measure, granularity: data.granularity, timezone: data.timezone, currency, width, index });
        figure.setAttribute('aria-hidden', 'true');
        box.current.replaceChildren(figure);
        setFailed(false);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [series, measure, width, index, locale, currency]);

  const title = chartTitle(measure, data.granularity);
  return (
    <figure class="sales-chart">
      <figcaption id="sales-chart-title">{title}</figcaption>
      {series.filled || <p class="hint">{t('salesChart.notFilled')}</p>}
      {failed && <Notice kind="error">{t('salesChart.chartFailed')}</Notice>}
      <div
        ref={box}
        class="chart"
        role="img"
        tabIndex={0}
        aria-label={`${title}. ${chartSummary(data, currency)}`}
        aria-describedby="sales-chart-keys"
        data-periods={series.periods.length}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            setPicked(undefined);
            return;
          }
          const next = stepPeriod(index, e.key, series.periods.length);
          if (next === undefined) return;
          e.preventDefault();
          setPicked(next);
        }}
      />
      <p class="hint" id="sales-chart-keys">
        {t('salesChart.keys')}
      </p>
      <p class="chart-readout" aria-live="polite">
        {index !== undefined ? readout(series, index, measure, data.granularity, data.timezone, currency) : ''}
      </p>
    </figure>
  );
}

interface DrawOptions {
  series: Series;
  measure: Measure;
  granularity: Granularity;
  timezone: string;
  currency: string;
  width: number;
  index: number | undefined;
}

/** Bars per period stacked by tier, the picked period ringed, a legend of tiers. */
function draw(Plot: PlotModule, o: DrawOptions): HTMLElement | SVGSVGElement {
  const { series, measure, granularity, timezone, currency } = o;
  const bars = series.tiers.flatMap((tier) =>
    tier.values.map((v) => {
      const value = measured(v, measure);
      const text = t('salesChart.tierValue', { tier: tier.name, value: measureText(value, measure, currency) });
      return { period: v.period, tier: tier.name, value, title: `${periodLabel(v.period, granularity, timezone)}\n${text}` };
    }),
  );
  const top = Math.max(highest(series, measure), 1);
  const marks: Markish[] = [];
  if (o.index !== undefined) {
    marks.push(
      Plot.barY([series.periods[o.index]], {
        x: (d: string) => d,
        y1: 0,
        y2: top,
        fill: 'currentColor',
        fillOpacity: 0.08,
        stroke: 'currentColor',
        strokeWidth: 2,
        inset: -1,
      }),
    );
  }
  marks.push(
    Plot.barY(bars, { x: 'period', y: 'value', fill: 'tier', title: 'title', tip: true }),
    Plot.ruleY([0]),
  );
  const zone = timezone.replace(/_/g, ' ');
  // Room for the longest y label ("€1,250.00"), at about 7 px a character.
  const marginLeft = Math.max(40, 12 + 7 * measureText(top, measure, currency).length);
  // A few periods make narrow bars in a narrower chart, not one bar across the page.
  const width = Math.max(280, Math.min(o.width, marginLeft + 40 + 72 * series.periods.length));
  return Plot.plot({
    width,
    height: 300,
    marginLeft,
    marginBottom: 40,
    style: { fontSize: '12px', overflow: 'visible' },
    x: {
      type: 'band',
      domain: series.periods,
      padding: 0.15,
      ticks: axisTicks(series.periods, granularity, Math.max(2, Math.floor(width / 110))),
      tickFormat: (key: string) => periodLabel(key, granularity, timezone, 'short'),
      label: t(granularity === 'hour' ? 'salesChart.axis.hour' : 'salesChart.axis.day', { zone }),
      labelAnchor: 'right',
    },
    y: {
      domain: [0, top],
      nice: true,
      grid: true,
      ticks: measure === 'sold' ? Math.min(5, top) : 5,
      tickFormat: (v: number) => (measure === 'sold' && !Number.isInteger(v) ? '' : measureText(v, measure, currency)),
      label: measure === 'sold' ? t('salesChart.sold') : t('salesChart.axis.revenue', { currency }),
    },
    color: { type: 'categorical', domain: series.tiers.map((tier) => tier.name), legend: true },
    marks,
  });
}
