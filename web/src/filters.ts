// The search filters of the home page, kept in the page's URL so a search can be shared.

import { t } from './i18n';

export interface Filters {
  q: string;
  category: string;
  city: string;
  from: string;
  to: string;
}

export const EMPTY: Filters = { q: '', category: '', city: '', from: '', to: '' };
const KEYS = Object.keys(EMPTY) as (keyof Filters)[];

export function fromQuery(query: URLSearchParams): Filters {
  const filters = { ...EMPTY };
  for (const key of KEYS) filters[key] = query.get(key)?.trim() ?? '';
  return filters;
}

/** The page's own query string ("?category=concert&city=London"), empty fields left out. */
export function toQuery(filters: Filters): string {
  const query = new URLSearchParams();
  for (const key of KEYS) if (filters[key].trim()) query.set(key, filters[key].trim());
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** GET /events's query for these filters: upcoming first, 20 a page. */
export function toApiQuery(filters: Filters, cursor?: string): string {
  const query = new URLSearchParams(toQuery(filters));
  query.set('sort', 'soonest');
  query.set('limit', '20');
  if (cursor) query.set('cursor', cursor);
  return `/events?${query}`;
}

/** Problems a person can fix before asking the API. */
export function problems(filters: Filters): Partial<Record<keyof Filters, string>> {
  const out: Partial<Record<keyof Filters, string>> = {};
  if (filters.q.length > 100) out.q = t('filters.tooLong', { max: 100 });
  if (filters.from && filters.to && filters.to < filters.from) out.to = t('filters.toBeforeFrom');
  return out;
}
