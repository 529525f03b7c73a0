// An organizer's story, in a real browser against the local platform.

import { readFileSync } from 'node:fs';
import { accessibilityProblems, expect, HALL_CSV, screenshot, seatedHall, signIn, signInTo, test } from './support';

const nextYear = new Date().getUTCFullYear() + 1;
const today = new Date().toISOString().slice(0, 10);

test('an organizer creates, edits, publishes, downloads participants and cancels an event', async ({ page }) => {
  await signIn(page, 'organizer@demo.example');
  await page.getByRole('link', { name: 'My events' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My events' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Midnight Strings in Concert' })).toBeVisible();
  await screenshot(page, 'organizer-events');

  await page.getByRole('link', { name: 'New event' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New event' })).toBeVisible();
  await page.getByLabel('Title').fill('Jazz on the Roof');
  await page.getByLabel('Description').fill('<b>Not bold</b>: text is shown as typed.');
  await page.getByLabel('Category').selectOption('concert');
  await page.getByLabel('Venue').fill('Skyline Terrace');
  await page.getByLabel('Address').fill('1 High Street');
  await page.getByLabel('City').fill('Bristol');
  await page.getByLabel('Country code').fill('GB');
  await page.getByLabel('Time zone').fill('Europe/London');
  await page.getByLabel('Starts').fill(`${nextYear}-06-20T20:00`);
  await page.getByLabel('Ends').fill(`${nextYear}-06-20T23:00`);
  await page.getByLabel('Sales open').fill(`${today}T00:00`);
  await page.getByLabel('Sales close').fill(`${nextYear}-06-20T19:00`);
  await page.getByLabel('Currency').fill('GBP');
  await page.getByLabel('Tier 1 name').fill('Terrace');
  await page.getByLabel('Tier 1 price').fill('18.50');
  await page.getByLabel('Tier 1 seats').fill('120');
  await page.getByLabel('Tier 1 most per order').fill('4');
  await page.getByRole('button', { name: 'Create draft' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Jazz on the Roof' })).toBeVisible();
  await expect(page).toHaveURL(/\/organize\/[0-9a-f-]{36}$/);
  await expect(page.getByText('Draft', { exact: true })).toBeVisible();

  // An edit the API refuses: its field error appears next to the field.
  await page.getByLabel('Ends').fill(`${nextYear}-06-20T18:00`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  const ends = page.getByLabel('Ends');
  await expect(ends).toHaveAttribute('aria-invalid', 'true');
  await expect(ends).toHaveAccessibleDescription(/must be after the start/);
  await expect(page.getByRole('alert')).toContainText('Some fields need a second look.');
  await screenshot(page, 'organizer-field-error');
  expect(await accessibilityProblems(page)).toEqual([]);
  await ends.fill(`${nextYear}-06-20T23:30`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(ends).not.toHaveAttribute('aria-invalid', 'true');

  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('dialog', { name: 'Publish this event?' }).getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('On sale', { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sales', exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Sales over time' }).getByText('No sales yet.')).toBeVisible();
  const terrace = page.getByRole('row', { name: /^Terrace/ });
  await expect(terrace).toContainText('120');
  await screenshot(page, 'organizer-event');
  expect(await accessibilityProblems(page)).toEqual([]);

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download participants (CSV)' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^participants-.*\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv.split(/\r?\n/)[0]).toMatch(/reservation/i);

  // The public page shows the description as text, never as HTML.
  await page.getByRole('link', { name: 'See its public page' }).click();
  await expect(page.getByText('<b>Not bold</b>: text is shown as typed.')).toBeVisible();
  await page.goBack();

  await page.getByRole('button', { name: 'Cancel event' }).click();
  await page.getByRole('dialog', { name: 'Cancel this event?' }).getByRole('button', { name: 'Cancel the event' }).click();
  await expect(page.getByText('Cancelled', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
});

test('an attendee is told the organizer pages are not theirs', async ({ page }) => {
  await signIn(page, 'attendee@demo.example');
  await page.goto('/organize');
  await expect(page.getByRole('heading', { level: 1, name: 'Organizers only' })).toBeVisible();
});

test('an organizer sends a venue CSV, publishes, blocks a seat on the map and puts it back on sale', async ({ page, request }) => {
  const { event } = await seatedHall(request, true);
  await signInTo(page, `/organize/${event.id}`);
  await page.getByLabel('Seat map (CSV)').setInputFiles({ name: 'hall.csv', mimeType: 'text/csv', buffer: Buffer.from(HALL_CSV) });
  await page.getByRole('button', { name: 'Send the seat map' }).click();
  await expect(page.getByText('This event has a seat map of 12 seats')).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('dialog', { name: 'Publish this event?' }).getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByRole('heading', { name: 'Blocked seats' })).toBeVisible();
  const seat = page.getByRole('checkbox', { name: /^Stalls, row A, seat 3,/ });
  await seat.click();
  await expect(seat).toHaveAttribute('aria-checked', 'true');
  await page.getByRole('button', { name: 'Block or put back the picked seats' }).click();
  await expect(page.getByText('1 blocked, 0 back on sale.')).toBeVisible();
  // Shown blocked at once (committed), and still pickable to give it back.
  await expect(seat).toHaveAccessibleName('Stalls, row A, seat 3, €30.00, blocked');
  expect(await accessibilityProblems(page)).toEqual([]);
  await seat.click();
  await page.getByRole('button', { name: 'Block or put back the picked seats' }).click();
  await expect(page.getByText('0 blocked, 1 back on sale.')).toBeVisible();
});
