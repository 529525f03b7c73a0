// What the browser stories share: the platform's address, signing in, the test card.

import AxeBuilder from '@axe-core/playwright';
import { expect, test as base, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * What the site's Content-Security-Policy refused in `context`'s pages (Chromium
 * logs each refusal as a console error). The stories run under the policy the
 * template gives CloudFront (the local runner serves it): anything it blocks fails them.
 */
export function refusedByContentSecurityPolicy(context: BrowserContext): string[] {
  const refused: string[] = [];
  context.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) refused.push(message.text());
  });
  return refused;
}

export const test = base.extend<{ contentSecurityPolicy: void }>({
  baseURL: async ({}, use) => use(process.env.SITE_URL),
  // Every story's own browser context; the ones a story opens check theirs.
  contentSecurityPolicy: [
    async ({ context }, use) => {
      const refused = refusedByContentSecurityPolicy(context);
      await use();
      expect(refused, 'what the Content-Security-Policy refused').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

export const DEMO_PASSWORD = 'demo-password-2026';
/** The demo organizer `make run` and the tests' platform seed. */
export const ORGANIZER = 'organizer@demo.example';
/** The password of the accounts the stories register. */
export const PASSWORD = 'a long enough password';

/**
 * Stripe's test cards: 4242… pays; 4000…0341 is accepted, then declined when charged;
 * 4000 0027 6000 3184 asks for 3-D Secure every time (localstripe plays the bank).
 */
export const CARDS = { ok: '4242424242424242', declined: '4000000000000341', threeDSecure: '4000002760003184' };

/** Types a card into Stripe.js's card element (localstripe's, locally). */
export async function fillCard(page: Page, number: string): Promise<void> {
  const box = page.locator('.card-box');
  await box.locator('input[placeholder="number"]').fill(number);
  await box.locator('input[placeholder="exp_month"]').fill('12');
  await box.locator('input[placeholder="exp_year"]').fill('34');
  await box.locator('input[placeholder="cvc"]').fill('123');
  await box.locator('input[placeholder="postal_code"]').fill('10001');
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** Signs in at the sign-in page and lands on `next`. */
export async function signInTo(page: Page, next: string, email = ORGANIZER, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** An account's bearer header, through the API's sign-in. */
export async function bearer(request: APIRequestContext, email = ORGANIZER, password = DEMO_PASSWORD): Promise<Record<string, string>> {
  const response = await request.post('/auth/login', { data: { email, password } });
  expect(response.status()).toBe(200);
  const { accessToken } = (await response.json()) as { accessToken: string };
  return { authorization: `Bearer ${accessToken}` };
}

/** A new account named `name` (a unique email, {@link PASSWORD}), signed in through the API. */
export async function newAccount(request: APIRequestContext, name: string): Promise<{ email: string; headers: Record<string, string> }> {
  const email = uniqueEmail(name.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
  expect((await request.post('/auth/register', { data: { email, password: PASSWORD, displayName: name } })).ok()).toBe(true);
  return { email, headers: await bearer(request, email, PASSWORD) };
}

export interface TierInput {
  name: string;
  priceMinor: number;
  capacity: number;
  maxPerOrder: number;
}

/** A created event, as the API answers, with the organizer's header that made it. */
export interface MadeEvent {
  id: string;
  title: string;
  tiers: { id: string; name: string }[];
  headers: Record<string, string>;
}

/**
 * The demo organizer's event, through the API: a concert next June in Lyon's zone,
 * on sale now, with `tiers`; what `details` names (title, venue, sales opening,
 * waiting room...) replaces the defaults. Published unless `draft`.
 */
export async function organizerEvent(
  request: APIRequestContext,
  tiers: TierInput[],
  details: Record<string, unknown> = {},
  draft = false,
): Promise<MadeEvent> {
  const headers = await bearer(request);
  const year = new Date().getUTCFullYear() + 1;
  const created = await request.post('/events', {
    headers,
    data: {
      title: `Concert ${Date.now()}`,
      category: 'concert',
      description: 'A concert the browser stories book.',
      venue: { name: 'Le Transbordeur', address: '3 Boulevard de Stalingrad', city: 'Villeurbanne', country: 'FR' },
      timezone: 'Europe/Paris',
      currency: 'EUR',
      startsAt: `${year}-06-01T20:00:00+02:00`,
      endsAt: `${year}-06-01T23:00:00+02:00`,
      salesOpensAt: '2026-01-01T00:00:00Z',
      salesClosesAt: `${year}-06-01T19:00:00+02:00`,
      tiers,
      ...details,
    },
  });
  expect(created.status()).toBe(201);
  const event = (await created.json()) as Omit<MadeEvent, 'headers'>;
  if (!draft) expect((await request.post(`/events/${event.id}/publish`, { headers })).status()).toBe(200);
  return { ...event, headers };
}

export function uniqueEmail(who: string): string {
  return `${who}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@test.example`;
}

/** Serious and critical accessibility problems on the page as it is now. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // The card element belongs to Stripe.js (an iframe with its own labels in production).
  const results = await new AxeBuilder({ page }).exclude('.card-box').analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * A screenshot for the README. Only `make screenshots` (UPDATE_SCREENSHOTS=1) writes
 * them into docs/screenshots; ordinary runs keep them with the test results.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.UPDATE_SCREENSHOTS
    ? resolve(HERE, '../../docs/screenshots')
    : resolve(HERE, '../test-results/screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: resolve(dir, `${name}.png`), fullPage: true });
}

/** Seats left in a tier, read from the event page's table. */
export async function seatsLeft(page: Page, tier: string): Promise<number> {
  const cell = page.getByRole('row', { name: new RegExp(`^${tier}\\b`) }).getByRole('cell').nth(1);
  return Number(await cell.innerText());
}

/** The hall's map as a venue's CSV: two rows (A, B) of six seats, tier Stalls. */
export const HALL_CSV =
  'section,row,seat,x,y,tier\n' +
  ['A', 'B'].flatMap((row, r) => Array.from({ length: 6 }, (_, s) => `Stalls,${row},${s + 1},${10 + s * 10},${10 + r * 12},Stalls`)).join('\n') +
  '\n';

/**
 * The demo organizer's seated hall, made through the API: one tier (Stalls, €30.00,
 * 4 per order) of two rows (A, B) of six seats, published; or a draft without its
 * map (`draft`), for the organizer to send it.
 */
export async function seatedHall(request: APIRequestContext, draft = false): Promise<{ event: MadeEvent; headers: Record<string, string> }> {
  const event = await organizerEvent(
    request,
    [{ name: 'Stalls', priceMinor: 3000, capacity: 12, maxPerOrder: 4 }],
    {
      title: `Seated recital ${Date.now()}`,
      description: 'A recital with numbered seats.',
      venue: { name: 'Salle Rameau', address: '29 Rue de la Martinière', city: 'Lyon', country: 'FR' },
    },
    true,
  );
  const { headers } = event;
  if (draft) return { event, headers };
  const csv = { ...headers, 'content-type': 'text/csv' };
  expect((await request.put(`/events/${event.id}/seat-map`, { headers: csv, data: HALL_CSV })).status()).toBe(200);
  expect((await request.post(`/events/${event.id}/publish`, { headers })).status()).toBe(200);
  return { event, headers };
}
