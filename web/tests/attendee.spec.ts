// An attendee's stories, in a real browser against the local platform.

import type { Page } from '@playwright/test';
import { accessibilityProblems, CARDS, expect, fillCard, organizerEvent, screenshot, seatedHall, seatsLeft, test, uniqueEmail } from './support';

test('an attendee finds the demo concert by filters, signs up, books two seats, sees two QR codes and cancels', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Upcoming events' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Cup Final: Lyon v Marseille' })).toBeVisible();
  await screenshot(page, 'home');

  await page.getByLabel('Category').selectOption('concert');
  await page.getByLabel('City').fill('London');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\?category=concert&city=London$/);
  await expect(page.getByRole('link', { name: 'Midnight Strings in Concert' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Cup Final: Lyon v Marseille' })).toHaveCount(0);
  // The URL is the search: opened afresh, it shows the same results.
  await page.reload();
  await expect(page.getByLabel('City')).toHaveValue('London');
  await expect(page.getByRole('link', { name: 'Midnight Strings in Concert' })).toBeVisible();

  await page.getByRole('link', { name: 'Midnight Strings in Concert' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Midnight Strings in Concert' })).toBeVisible();
  await expect(page.getByText('(Europe/London)')).toBeVisible();
  await expect(page.getByText('7:30 PM').or(page.getByText('19:30'))).toBeVisible();
  const before = await seatsLeft(page, 'Stalls');

  await page.getByRole('link', { name: 'create an account' }).click();
  await page.getByLabel('Your name').fill('Ada Browser');
  await page.getByLabel('Email').fill(uniqueEmail('ada'));
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Midnight Strings in Concert' })).toBeVisible();

  await page.getByLabel('Tier').selectOption({ label: 'Stalls · £35.00' });
  await page.getByLabel('Seats').selectOption('2');
  await expect(page.getByText('Total: £70.00')).toBeVisible();
  await fillCard(page, CARDS.ok);
  await screenshot(page, 'checkout');
  await page.getByRole('button', { name: 'Pay £70.00' }).click();

  await expect(page).toHaveURL(/\/tickets\/[0-9a-f-]{36}$/);
  await expect(page.getByText('Confirmed', { exact: true })).toBeVisible({ timeout: 30_000 });
  const codes = page.getByRole('img', { name: /QR code of ticket/ });
  await expect(codes).toHaveCount(2);
  await screenshot(page, 'tickets-confirmed');
  expect(await accessibilityProblems(page)).toEqual([]);

  await page.getByRole('link', { name: 'My tickets' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  await expect(page.getByRole('img', { name: /QR code of ticket/ })).toHaveCount(2);
  await page.getByRole('button', { name: 'Cancel this booking' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this booking?' });
  await expect(dialog).toContainText('You will be refunded.');
  await dialog.getByRole('button', { name: 'Yes, cancel it' }).click();
  await expect(page.getByText('Cancelled', { exact: true })).toBeVisible();
  await expect(page.getByText('refund on its way')).toBeVisible();

  // The seats are back on sale.
  await page.goto('/?category=concert&city=London');
  await page.getByRole('link', { name: 'Midnight Strings in Concert' }).click();
  await expect.poll(() => seatsLeft(page, 'Stalls')).toBe(before);
});

test('a declined card shows a clear message and the seats come back', async ({ page }) => {
  await page.goto('/signup?next=/');
  await page.getByLabel('Your name').fill('Bob Declined');
  await page.getByLabel('Email').fill(uniqueEmail('bob'));
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  await page.getByRole('link', { name: 'Midnight Strings in Concert' }).click();
  const before = await seatsLeft(page, 'Balcony');
  await page.getByLabel('Tier').selectOption({ label: 'Balcony · £22.00' });
  await page.getByLabel('Seats').selectOption('3');
  await fillCard(page, CARDS.declined);
  await page.getByRole('button', { name: 'Pay £66.00' }).click();

  await expect(page).toHaveURL(/\/tickets\//);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Your card was declined, so you were not charged and the seats went back on sale.', {
    timeout: 30_000,
  });
  await expect(page.getByText('Payment failed', { exact: true })).toBeVisible();
  await expect(page.getByRole('img', { name: /QR code/ })).toHaveCount(0);
  await screenshot(page, 'payment-declined');
  expect(await accessibilityProblems(page)).toEqual([]);

  await alert.getByRole('link', { name: 'Try again with another card' }).click();
  await expect.poll(() => seatsLeft(page, 'Balcony')).toBe(before);
});

async function bookWithCard(page: Page, name: string, card: string): Promise<void> {
  await page.goto('/signup?next=/');
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(uniqueEmail('sca'));
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.getByRole('link', { name: 'Midnight Strings in Concert' }).click();
  await page.getByLabel('Tier').selectOption({ label: 'Stalls · £35.00' });
  await page.getByLabel('Seats').selectOption('2');
  await fillCard(page, card);
  await page.getByRole('button', { name: 'Pay £70.00' }).click();
  await expect(page).toHaveURL(/\/tickets\/[0-9a-f-]{36}$/);
}

test('a card that asks for 3-D Secure: the buyer passes the bank\'s challenge and gets the QR codes', async ({ page }) => {
  await bookWithCard(page, 'Chloé Secure', CARDS.threeDSecure);
  // Stripe.js (localstripe's stand-in) shows the bank's challenge.
  await expect(page.getByText('Your bank asks you to confirm this payment')).toBeVisible({ timeout: 30_000 });
  await screenshot(page, 'three-d-secure');
  await page.getByRole('button', { name: 'Complete authentication' }).click();
  await expect(page.getByText('Confirmed', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('img', { name: /QR code of ticket/ })).toHaveCount(2);
});

test('a failed 3-D Secure challenge lets the buyer pay with another card while the seats stay held', async ({ page }) => {
  await bookWithCard(page, 'Denis Retry', CARDS.threeDSecure);
  await page.getByRole('button', { name: 'Fail authentication' }).click({ timeout: 30_000 });
  const retry = page.getByRole('form', { name: 'Pay with another card' });
  await expect(retry).toContainText('Your bank did not confirm the payment, so you were not charged.');
  await expect(page.getByText('Seats held, payment in progress')).toBeVisible();
  expect(await accessibilityProblems(page)).toEqual([]);
  await fillCard(page, CARDS.ok);
  await retry.getByRole('button', { name: 'Pay £70.00' }).click();
  await expect(page.getByText('Confirmed', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('img', { name: /QR code of ticket/ })).toHaveCount(2);
});

test('signing in with a wrong password says so in words', async ({ page }) => {
  await page.goto('/signin');
  await page.getByLabel('Email').fill('attendee@demo.example');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('That email and password do not match an account.');
});

test('an on-sale behind a waiting room: the buyer queues, sees the wait, and buys once admitted', async ({ page, request }) => {
  // The organizer's event, through the API: a free tier on sale in a few seconds, 120 admitted a minute.
  const event = await organizerEvent(request, [{ name: 'Stands', priceMinor: 0, capacity: 100, maxPerOrder: 2 }], {
    title: `Stadium on-sale ${Date.now()}`,
    category: 'match',
    description: 'The final, behind a waiting room.',
    venue: { name: 'Stadium', address: '1 Stadium Way', city: 'Lyon', country: 'FR' },
    salesOpensAt: new Date(Date.now() + 8_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    waitingRoom: { enabled: true, admitPerMinute: 120 },
  });

  await page.goto(`/signup?next=${encodeURIComponent(`/e/${event.id}`)}`);
  await page.getByLabel('Your name').fill('Queue Buyer');
  await page.getByLabel('Email').fill(uniqueEmail('queue'));
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Waiting room' })).toBeVisible();
  await expect(page.getByText('drawn at random when the sale opens')).toBeVisible();
  expect(await accessibilityProblems(page)).toEqual([]);
  await screenshot(page, 'waiting-room');

  // At the opening the order is drawn; the only buyer in the queue is let in at once.
  await expect(page.getByRole('button', { name: 'Book for free' })).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Book for free' }).click();
  await expect(page).toHaveURL(/\/tickets\/[0-9a-f-]{36}$/);
  await expect(page.getByText('Confirmed', { exact: true })).toBeVisible({ timeout: 30_000 });
});

test('a buyer picks seats on the map with the keyboard, a blocked seat cannot be picked, and the tickets name the seats', async ({ page, request }) => {
  // The organizer's seated hall, through the API: two rows of six, seat A1 blocked.
  const { event, headers } = await seatedHall(request);
  expect((await request.post(`/events/${event.id}/seat-blocks`, { headers, data: { block: ['1-1-1'] } })).status()).toBe(200);
  // The map shows the block once the stream has refreshed its row.
  await expect
    .poll(async () => {
      const seats = (await (await request.get(`/events/${event.id}/seats`)).json()) as {
        sections: { rows: { seats: { id: string; status: string }[] }[] }[];
      };
      return seats.sections[0].rows[0].seats[0].status;
    })
    .toBe('blocked');

  await page.goto(`/signup?next=${encodeURIComponent(`/e/${event.id}`)}`);
  await page.getByLabel('Your name').fill('Seat Picker');
  await page.getByLabel('Email').fill(uniqueEmail('seats'));
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByLabel('Pick on the map').check();
  const seat = (row: string, n: number) => page.getByRole('checkbox', { name: new RegExp(`^Stalls, row ${row}, seat ${n},`) });
  await expect(seat('A', 1)).toHaveAttribute('aria-disabled', 'true');
  await expect(seat('A', 1)).toHaveAccessibleName('Stalls, row A, seat 1, €30.00, taken');
  await seat('A', 1).click({ force: true }); // a click on a taken seat picks nothing
  await expect(seat('A', 1)).toHaveAttribute('aria-checked', 'false');
  // The keyboard: the map is one tab stop; the arrows move, Space picks.
  await seat('A', 1).focus();
  await page.keyboard.press('ArrowRight');
  await expect(seat('A', 2)).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await expect(seat('B', 2)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(seat('A', 2)).toHaveAttribute('aria-checked', 'true');
  await expect(seat('B', 2)).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByText('Your seats: Stalls, row A, seat 2; Stalls, row B, seat 2')).toBeVisible();
  expect(await accessibilityProblems(page)).toEqual([]);
  await screenshot(page, 'seat-map');

  await fillCard(page, CARDS.ok);
  await page.getByRole('button', { name: 'Pay €60.00' }).click();
  await expect(page).toHaveURL(/\/tickets\/[0-9a-f-]{36}$/);
  await expect(page.getByText('Confirmed', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('Stalls, row A, seat 2', { exact: true })).toBeVisible();
  await expect(page.getByText('Stalls, row B, seat 2', { exact: true })).toBeVisible();
});
