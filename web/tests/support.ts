// What the browser stories share: the platform's address, signing in, the test card.

import AxeBuilder from '@axe-core/playwright';
import { expect, test as base, type APIRequestContext, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

export const test = base.extend({
  baseURL: async ({}, use) => use(process.env.SITE_URL),
});
export { expect };

export const DEMO_PASSWORD = 'demo-password-2026';

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
export async function seatedHall(
  request: APIRequestContext,
  draft = false,
): Promise<{ event: { id: string }; headers: Record<string, string> }> {
  const login = await request.post('/auth/login', { data: { email: 'organizer@demo.example', password: DEMO_PASSWORD } });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const headers = { authorization: `Bearer ${accessToken}` };
  const year = new Date().getUTCFullYear() + 1;
  const created = await request.post('/events', {
    headers,
    data: {
      title: `Seated recital ${Date.now()}`,
      category: 'concert',
      description: 'A recital with numbered seats.',
      venue: { name: 'Salle Rameau', address: '29 Rue de la Martinière', city: 'Lyon', country: 'FR' },
      timezone: 'Europe/Paris',
      currency: 'EUR',
      startsAt: `${year}-06-01T20:00:00+02:00`,
      endsAt: `${year}-06-01T23:00:00+02:00`,
      salesOpensAt: '2026-01-01T00:00:00Z',
      salesClosesAt: `${year}-06-01T19:00:00+02:00`,
      tiers: [{ name: 'Stalls', priceMinor: 3000, capacity: 12, maxPerOrder: 4 }],
    },
  });
  expect(created.status()).toBe(201);
  const event = (await created.json()) as { id: string; tiers: { id: string }[] };
  if (draft) return { event, headers };
  const csv = { ...headers, 'content-type': 'text/csv' };
  expect((await request.put(`/events/${event.id}/seat-map`, { headers: csv, data: HALL_CSV })).status()).toBe(200);
  expect((await request.post(`/events/${event.id}/publish`, { headers })).status()).toBe(200);
  return { event, headers };
}
