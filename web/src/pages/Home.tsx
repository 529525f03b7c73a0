// Upcoming events, with filters kept in the URL (a search can be shared).

import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Field, Loading, Notice, SelectField, Title } from '../components';
import { EMPTY, fromQuery, problems, toApiQuery, toQuery, type Filters } from '../filters';
import { formatEventTime, formatMoney, type When } from '../format';
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

export const CATEGORIES: [string, string][] = [
  ['match', 'Matches'],
  ['concert', 'Concerts'],
  ['conference', 'Conferences'],
];

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
      <Title text="Upcoming events" />
      <form
        class="filters"
        role="search"
        aria-label="Find events"
        onSubmit={(e) => {
          e.preventDefault();
          if (Object.keys(wrong).length === 0) navigate(`/${toQuery(draft)}`);
        }}
      >
        <Field label="Search" type="search" name="q" value={draft.q} onValue={set('q')} error={wrong.q} placeholder="Title contains…" />
        <SelectField label="Category" name="category" value={draft.category} onValue={set('category')} options={[['', 'All categories'], ...CATEGORIES]} />
        <Field label="City" name="city" value={draft.city} onValue={set('city')} placeholder="e.g. London" />
        <Field label="From" type="date" name="from" value={draft.from} onValue={set('from')} />
        <Field label="To" type="date" name="to" value={draft.to} onValue={set('to')} error={wrong.to} />
        <div class="filter-actions">
          <button type="submit">Search</button>
          {filtered && (
            <button type="button" class="secondary" onClick={() => navigate(`/${toQuery(EMPTY)}`)}>
              Clear filters
            </button>
          )}
        </div>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {!events && !error && <Loading what="events" />}
      {events && events.length === 0 && <p>No events match. Try other filters.</p>}
      {events && events.length > 0 && (
        <ul class="cards" aria-label="Events">
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
          {loadingMore ? 'Loading…' : 'More events'}
        </button>
      )}
    </section>
  );
}

function priceRange(event: PublicEvent): string {
  if (event.tiers.length === 0) return 'Tickets soon';
  const prices = event.tiers.map((t) => t.priceMinor);
  const low = formatMoney(Math.min(...prices), event.currency);
  const left = event.tiers.reduce((n, t) => n + t.remaining, 0);
  return left === 0 ? 'Sold out' : prices.length > 1 ? `From ${low}` : low;
}
