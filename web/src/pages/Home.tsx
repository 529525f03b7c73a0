// Upcoming events, with filters kept in the URL (a search can be shared).

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Field, Loading, Notice, SelectField, Title } from '../components';
import { EMPTY, fromQuery, problems, toApiQuery, toQuery, type Filters } from '../filters';
import { formatEventTime, formatMoney, type When } from '../format';
import { t, type Key } from '../i18n';
import { navigate } from '../router';

export interface PublicEvent {
  id: string;
  title: string;
  description: string | null;
  category: string;
  status: string;
  venue: { name: string; address: string; city: string; country: string } | null;
  timezone: string;
  startsAt: When | null;
  endsAt: When | null;
  salesOpensAt: When | null;
  salesClosesAt: When | null;
  currency: string;
  tiers: {
    id: string;
    name: string;
    priceMinor: number;
    currency: string;
    maxPerOrder: number;
    remaining: number;
    /** Sold seat by seat from the event's seat map. */
    seated?: boolean;
  }[];
  /** Present when the sale has a waiting room: buyers queue, then buy with an admission token. */
  waitingRoom?: { enabled: boolean; admitPerMinute: number };
}

interface Page {
  items: PublicEvent[];
  nextCursor: string | null;
}

const CATEGORY_KEYS = {
  match: 'category.match',
  concert: 'category.concert',
  conference: 'category.conference',
} as const satisfies Record<string, Key>;

/** The categories as options: [value, name in the reader's language]. */
export function categories(): [string, string][] {
  return Object.entries(CATEGORY_KEYS).map(([value, key]) => [value, t(key)]);
}

/** One category's name (an unknown one as the API names it). */
export function categoryName(category: string): string {
  return Object.hasOwn(CATEGORY_KEYS, category) ? t(CATEGORY_KEYS[category as keyof typeof CATEGORY_KEYS]) : category;
}

export function Home({ query }: { query: URLSearchParams }) {
  const applied = fromQuery(query);
  const key = toQuery(applied);
  const [draft, setDraft] = useState<Filters>(applied);
  const [events, setEvents] = useState<PublicEvent[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    setDraft(applied);
    setEvents(undefined);
    setError(undefined);
    request<Page>(toApiQuery(applied), { auth: false })
      .then((page) => {
        setEvents(page.items);
        setCursor(page.nextCursor);
      })
      .catch((e: ApiError) => setError(e.message));
  }, [key]);

  const more = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await request<Page>(toApiQuery(applied, cursor), { auth: false });
      setEvents([...(events ?? []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError((e as ApiError).message);
    } finally {
      setLoadingMore(false);
    }
  };

  const wrong = problems(draft);
  const set = (k: keyof Filters) => (v: string) => setDraft({ ...draft, [k]: v });
  const filtered = key !== '';
  return (
    <section>
      <Title text={t('home.title')} />
      <form
        class="filters"
        role="search"
        aria-label={t('home.search.label')}
        onSubmit={(e) => {
          e.preventDefault();
          if (Object.keys(wrong).length === 0) navigate(`/${toQuery(draft)}`);
        }}
      >
        <Field label={t('home.search')} type="search" name="q" value={draft.q} onValue={set('q')} error={wrong.q} placeholder={t('home.search.placeholder')} />
        <SelectField label={t('field.category')} name="category" value={draft.category} onValue={set('category')} options={[['', t('category.all')], ...categories()]} />
        <Field label={t('field.city')} name="city" value={draft.city} onValue={set('city')} placeholder={t('home.city.placeholder')} />
        <Field label={t('home.from')} type="date" name="from" value={draft.from} onValue={set('from')} />
        <Field label={t('home.to')} type="date" name="to" value={draft.to} onValue={set('to')} error={wrong.to} />
        <div class="filter-actions">
          <button type="submit">{t('home.search.submit')}</button>
          {filtered && (
            <button type="button" class="secondary" onClick={() => navigate(`/${toQuery(EMPTY)}`)}>
              {t('home.clear')}
            </button>
          )}
        </div>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {!events && !error && <Loading text={t('home.loading')} />}
      {events && events.length === 0 && <p>{t('home.none')}</p>}
      {events && events.length > 0 && (
        <ul class="cards" aria-label={t('home.list')}>
          {events.map((event) => (
            <li key={event.id} class="card">
              <h2>
                <a href={`/e/${event.id}`}>{event.title}</a>
              </h2>
              <p class="meta">{formatEventTime(event.startsAt, event.timezone)}</p>
              {event.venue && (
                <p class="meta">
                  {event.venue.name}, {event.venue.city}
                </p>
              )}
              <p class="price">{priceRange(event)}</p>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="secondary" onClick={more} disabled={loadingMore}>
          {loadingMore ? t('common.loading') : t('home.more')}
        </button>
      )}
    </section>
  );
}

function priceRange(event: PublicEvent): string {
  if (event.tiers.length === 0) return t('price.soon');
  const prices = event.tiers.map((t) => t.priceMinor);
  const low = formatMoney(Math.min(...prices), event.currency);
  const left = event.tiers.reduce((n, t) => n + t.remaining, 0);
  return left === 0 ? t('price.soldOut') : prices.length > 1 ? t('price.from', { price: low }) : low;
}
