// Promo, presale and access codes: an organizer creates them on the event's page,
// a buyer applies one on the public page, sees the price with it and orders; a
// hidden tier shows only once a buyer applies an access code naming it.

import type { APIRequestContext } from '@playwright/test';
import { accessibilityProblems, CARDS, expect, fillCard, newAccount, organizerEvent, PASSWORD, refusedByContentSecurityPolicy, seatsLeft, signInTo, test, type TierInput } from './support';

const year = new Date().getUTCFullYear() + 1;

/** The demo organizer's published event with `tiers`. */
function eventWith(request: APIRequestContext, tiers: TierInput[]) {
  return organizerEvent(request, tiers, {
    title: `Codes night ${Date.now()}`,
    description: 'A concert with a fan club and a members presale.',
  });
}

test('an organizer creates a promo code; a buyer applies it, pays the discounted price, and the booking shows the discount', async ({ browser, page, request }) => {
  const event = await eventWith(request, [
    { name: 'Stalls', priceMinor: 3000, capacity: 20, maxPerOrder: 4 },
    { name: 'Balcony', priceMinor: 2000, capacity: 20, maxPerOrder: 4 },
  ]);

  // The organizer: 20% off Stalls, for 10 tickets, until next spring.
  await signInTo(page, `/organize/${event.id}`);
  const codes = page.getByRole('region', { name: 'Promo codes' });
  const form = codes.getByRole('form', { name: 'New code' });
  await form.getByLabel('Code', { exact: true }).fill('FanClub-2027');
  await expect(form.getByRole('radio', { name: 'A percentage off each ticket' })).toBeChecked();
  await form.getByLabel('Percentage off', { exact: true }).fill('20');
  await form.getByLabel('Most tickets (optional)').fill('10');
  await form.getByRole('checkbox', { name: 'Stalls' }).check();
  await form.getByLabel('Valid until (optional)').fill(`${year}-05-01T00:00`);
  await form.getByRole('button', { name: 'Create code' }).click();
  await expect(form.getByRole('status')).toHaveText('Code FanClub-2027 created.');
  const row = codes.getByRole('row', { name: /^FanClub-2027/ });
  await expect(row).toContainText('20% off each ticket');
  await expect(row.getByRole('cell').nth(1)).toHaveText('Stalls');
  await expect(row).toContainText('0 of 10');
  await expect(row).toContainText(`Until May 1, ${year}`);
  expect(await accessibilityProblems(page)).toEqual([]);

  // The same code in another case is refused, next to the code and in a clear message.
  await form.getByLabel('Code', { exact: true }).fill('fanclub-2027');
  await form.getByLabel('Percentage off', { exact: true }).fill('10');
  await form.getByRole('button', { name: 'Create code' }).click();
  const code = form.getByLabel('Code', { exact: true });
  await expect(code).toHaveAttribute('aria-invalid', 'true');
  await expect(code).toHaveAccessibleDescription(/already has a code by that name/);
  await expect(form.getByRole('alert')).toContainText('This event already has a code by that name (codes ignore case): choose another.');
  await expect(codes.getByRole('row', { name: /^fanclub-2027/ })).toHaveCount(0);

  // The buyer, in a browser of their own.
  const someone = await newAccount(request, 'Fan');
  const context = await browser.newContext();
  const refused = refusedByContentSecurityPolicy(context);
  const shop = await context.newPage();
  await signInTo(shop, `/e/${event.id}`, someone.email, PASSWORD);
  await expect(shop.getByRole('heading', { level: 1, name: event.title })).toBeVisible();

  // A code the event does not have is refused in words.
  await shop.getByLabel('Promo or presale code').fill('NOPE-123');
  await shop.getByRole('button', { name: 'Apply' }).click();
  await expect(shop.getByRole('alert')).toHaveText('This code is not valid for this event. Check how it is spelled.');

  // Any case will do.
  await shop.getByLabel('Promo or presale code').fill('fanclub-2027');
  await shop.getByRole('button', { name: 'Apply' }).click();
  await expect(shop.getByRole('status').filter({ hasText: 'Code FanClub-2027 applied: 20% off each ticket for Stalls.' })).toBeVisible();
  await expect(shop.getByRole('row', { name: /^Stalls/ })).toContainText('€24.00 (instead of €30.00)');
  await expect(shop.getByRole('row', { name: /^Balcony/ })).toContainText('€20.00');
  await expect(shop.getByRole('row', { name: /^Balcony/ })).not.toContainText('instead of');
  await shop.getByLabel('Tier', { exact: true }).selectOption({ label: 'Stalls · €24.00 (instead of €30.00)' });
  await shop.getByLabel('Seats', { exact: true }).selectOption('2');
  await expect(shop.getByText('Code FanClub-2027: €12.00 off €60.00.')).toBeVisible();
  await expect(shop.getByText('Total: €48.00')).toBeVisible();
  expect(await accessibilityProblems(shop)).toEqual([]);
  await fillCard(shop, CARDS.ok);
  await shop.getByRole('button', { name: 'Pay €48.00' }).click();

  await expect(shop).toHaveURL(/\/tickets\/[0-9a-f-]{36}$/);
  await expect(shop.getByText('Confirmed', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(shop.getByRole('img', { name: /QR code of ticket/ })).toHaveCount(2);
  const summary = shop.locator('dl.promo-summary');
  await expect(summary.getByRole('term')).toHaveText(['Price before the code', 'Discount (code FanClub-2027)', 'Total']);
  await expect(summary.getByRole('definition')).toHaveText(['€60.00', '-€12.00', '€48.00']);
  expect(await accessibilityProblems(shop)).toEqual([]);

  // What the API kept: the discounted amount, and two of the code's ten uses.
  const id = shop.url().split('/').pop()!;
  const booked = (await (await request.get(`/reservations/${id}`, { headers: someone.headers })).json()) as {
    amountMinor: number;
    promo: { code: string; originalAmountMinor: number; discountMinor: number };
  };
  expect(booked.amountMinor).toBe(4800);
  expect(booked.promo).toEqual({ code: 'FanClub-2027', originalAmountMinor: 6000, discountMinor: 1200 });
  const listed = (await (await request.get(`/events/${event.id}/promo-codes`, { headers: event.headers })).json()) as {
    promoCodes: { code: string; uses: number }[];
  };
  expect(listed.promoCodes.find((c) => c.code === 'FanClub-2027')?.uses).toBe(2);
  expect(refused, 'what the Content-Security-Policy refused').toEqual([]);
  await context.close();

  // The organizer's page, open since before the sale, had nothing to chart; the sale
  // shows once the figures (kept from a stream, a second or two behind) have it.
  const overTime = page.getByRole('region', { name: 'Sales over time' });
  await expect(overTime.getByText('No sales yet.')).toBeVisible();
  const refresh = overTime.getByRole('button', { name: 'Refresh the figures' });
  const chart = overTime.getByRole('img', { name: /^Tickets sold per hour, by tier\. .+: 2 tickets sold, €48\.00 in revenue\.$/ });
  await expect(async () => {
    await refresh.click({ timeout: 5_000 });
    await expect(chart).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(overTime.getByText('No sales yet.')).toHaveCount(0);
  // One bar (Stalls, this hour), drawn as SVG, with the tier in the legend.
  await expect(chart.locator('svg g[aria-label="bar"] rect')).toHaveCount(1);
  await expect(chart).toContainText('Stalls');

  // Reached with the keyboard, and read out period by period.
  await refresh.focus();
  await page.keyboard.press('Tab');
  await expect(chart).toBeFocused();
  await page.keyboard.press('End');
  await expect(overTime.locator('.chart-readout')).toHaveText(/^.+: 2 tickets sold \(Stalls: 2\)$/);

  // The same figures as a table, behind a toggle worked from the keyboard.
  const showTable = overTime.getByRole('button', { name: 'Show as table' });
  await expect(showTable).toHaveAttribute('aria-expanded', 'false');
  await expect(overTime.getByRole('table')).toHaveCount(0);
  await showTable.focus();
  await page.keyboard.press('Enter');
  await expect(overTime.getByRole('button', { name: 'Hide the table' })).toHaveAttribute('aria-expanded', 'true');
  const table = overTime.getByRole('table', { name: 'Sales per hour and tier (time zone Europe/Paris)' });
  await expect(table.getByRole('columnheader')).toHaveText(['Hour', 'Tier', 'Sold', 'Revenue', 'Refunded', 'Amount refunded']);
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByRole('cell')).toHaveText(['Stalls', '2', '€48.00', '0', '€0.00']);
  await expect(table.locator('tfoot tr').getByRole('cell')).toHaveText(['', '2', '€48.00', '0', '€0.00']);
  expect(await accessibilityProblems(page)).toEqual([]);

  // Per day (the event's day in Paris), and revenue instead of tickets.
  await overTime.getByRole('radio', { name: 'Day', exact: true }).check();
  const daily = overTime.getByRole('table', { name: 'Sales per day and tier (time zone Europe/Paris)' });
  const today = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'Europe/Paris' }).format(new Date());
  await expect(daily.locator('tbody tr').getByRole('rowheader')).toHaveText([today]);
  await expect(daily.locator('tbody tr').getByRole('cell')).toHaveText(['Stalls', '2', '€48.00', '0', '€0.00']);
  await overTime.getByRole('radio', { name: 'Revenue', exact: true }).check();
  await expect(overTime.getByRole('img', { name: /^Revenue per day, by tier\. / })).toBeVisible();
});

test('a hidden tier is sold only after the buyer applies an access code naming it', async ({ browser, page, request }) => {
  const event = await eventWith(request, [
    { name: 'Stalls', priceMinor: 3000, capacity: 20, maxPerOrder: 4 },
    { name: 'Members presale', priceMinor: 2500, capacity: 10, maxPerOrder: 2 },
  ]);

  // The organizer hides the second tier in the event form, then makes an access code for it.
  await signInTo(page, `/organize/${event.id}`);
  await page.getByRole('checkbox', { name: 'Tier 2 hidden (presale, sold with a code only)' }).check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Tier 2 hidden (presale, sold with a code only)' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Tier 1 hidden (presale, sold with a code only)' })).not.toBeChecked();
  const publicView = (await (await request.get(`/events/${event.id}`)).json()) as { tiers: { name: string }[] };
  expect(publicView.tiers.map((t) => t.name)).toEqual(['Stalls']);

  const codes = page.getByRole('region', { name: 'Promo codes' });
  const form = codes.getByRole('form', { name: 'New code' });
  await form.getByLabel('Code', { exact: true }).fill('MEMBERS-ONLY');
  await form.getByRole('radio', { name: 'Access only: opens hidden tiers, no discount' }).check();
  await expect(form.getByLabel('Percentage off', { exact: true })).toHaveCount(0);
  // An access code must name the tiers it opens.
  await form.getByRole('button', { name: 'Create code' }).click();
  const tiers = form.getByRole('group', { name: 'Tiers' });
  await expect(tiers).toHaveAccessibleDescription(/An access code opens hidden tiers: tick at least one\./);
  await tiers.getByRole('checkbox', { name: 'Members presale (hidden)' }).check();
  await form.getByRole('button', { name: 'Create code' }).click();
  await expect(form.getByRole('status')).toHaveText('Code MEMBERS-ONLY created.');
  const row = codes.getByRole('row', { name: /^MEMBERS-ONLY/ });
  await expect(row).toContainText('Access only, no discount');
  await expect(row).toContainText('Members presale (hidden)');
  await expect(row).toContainText('0 (no limit)');
  expect(await accessibilityProblems(page)).toEqual([]);

  // The buyer sees only Stalls until the code opens the presale.
  const member = await newAccount(request, 'Member');
  const context = await browser.newContext();
  const refused = refusedByContentSecurityPolicy(context);
  const shop = await context.newPage();
  await signInTo(shop, `/e/${event.id}`, member.email, PASSWORD);
  await expect(shop.getByRole('row', { name: /^Stalls/ })).toBeVisible();
  await expect(shop.getByRole('row', { name: /^Members presale/ })).toHaveCount(0);
  await expect(shop.getByLabel('Tier', { exact: true }).getByRole('option')).toHaveText(['Stalls · €30.00']);

  const apply = async () => {
    await shop.getByLabel('Promo or presale code').fill('members-only');
    await shop.getByRole('button', { name: 'Apply' }).click();
    await expect(shop.getByRole('status').filter({ hasText: 'Code MEMBERS-ONLY applied: it opens Members presale.' })).toBeVisible();
  };
  await apply();
  const presale = shop.getByRole('row', { name: /^Members presale/ });
  await expect(presale).toBeVisible();
  // Taken off, the code takes the presale with it; applied again, it is back.
  await shop.getByRole('button', { name: 'Remove code MEMBERS-ONLY' }).click();
  await expect(presale).toHaveCount(0);
  await expect(shop.getByLabel('Tier', { exact: true }).getByRole('option')).toHaveText(['Stalls · €30.00']);
  await apply();
  await expect(presale).toContainText('With your code');
  await expect(presale).toContainText('€25.00');
  expect(await seatsLeft(shop, 'Members presale')).toBe(10);
  // The tier the code opens is chosen for the buyer.
  const tier = shop.getByLabel('Tier', { exact: true });
  await expect(tier.locator('option:checked')).toHaveText('Members presale · €25.00');
  await shop.getByLabel('Seats', { exact: true }).selectOption('2');
  await expect(shop.getByText('Total: €50.00')).toBeVisible();
  expect(await accessibilityProblems(shop)).toEqual([]);
  await fillCard(shop, CARDS.ok);
  await shop.getByRole('button', { name: 'Pay €50.00' }).click();

  await expect(shop).toHaveURL(/\/tickets\/[0-9a-f-]{36}$/);
  await expect(shop.getByText('Confirmed', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(shop.getByRole('heading', { level: 2, name: '2 × Members presale' })).toBeVisible();
  await expect(shop.getByText('Booked with code MEMBERS-ONLY (no discount).')).toBeVisible();
  expect(refused, 'what the Content-Security-Policy refused').toEqual([]);
  await context.close();
});
