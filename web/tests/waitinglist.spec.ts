// A sold-out tier's waiting list: a buyer joins it on the event's page and sees
// their place; when the seat comes back they are offered it (an email, and the
// reservation waiting for their card), pay on its page and get the ticket; the
// organizer sees the line on the event's page.

import { accessibilityProblems, CARDS, expect, fillCard, newAccount, organizerEvent, PASSWORD, signInTo, test } from './support';

test('a buyer waits for a sold-out tier, is offered the seat that comes back, and buys it', async ({ browser, page, request }) => {
  const event = await organizerEvent(request, [{ name: 'Standing', priceMinor: 2500, capacity: 1, maxPerOrder: 1 }], {
    title: `Sold out ${Date.now()}`,
    waitingListOfferMinutes: 15,
  });
  const tierId = event.tiers[0].id;
  const first = await newAccount(request, 'First');
  const booked = await request.post('/reservations', {
    headers: { ...first.headers, 'idempotency-key': `waitlist-${Date.now()}` },
    data: { eventId: event.id, tierId, quantity: 1, paymentMethod: 'pm_card_visa' },
  });
  expect(booked.ok()).toBe(true);
  const { id: sold } = (await booked.json()) as { id: string };
  const statusOf = async (id: string, headers: Record<string, string>) =>
    ((await (await request.get(`/reservations/${id}`, { headers })).json()) as { status: string }).status;
  await expect.poll(() => statusOf(sold, first.headers), { timeout: 30_000 }).toBe('confirmed');

  // The waiter: the tier shows sold out, and the line is open.
  const waiter = await newAccount(request, 'Waiter');
  await expect
    .poll(async () => ((await (await request.get(`/events/${event.id}`)).json()) as { tiers: { remaining: number }[] }).tiers[0].remaining, {
      timeout: 30_000,
    })
    .toBe(0);
  await signInTo(page, `/e/${event.id}`, waiter.email, PASSWORD);
  const line = page.getByRole('region', { name: 'Waiting list' });
  await expect(line).toBeVisible();
  await line.getByRole('button', { name: 'Join the waiting list' }).click();
  await expect(line).toContainText('You are number 1 in line, for 1 ticket.');
  expect(await accessibilityProblems(page)).toEqual([]);

  // The organizer sees one person in line.
  const context = await browser.newContext();
  const organizer = await context.newPage();
  await signInTo(organizer, `/organize/${event.id}`);
  const lines = organizer.getByRole('region', { name: 'Waiting lists' });
  await expect(lines).toContainText('1 person waiting in all.');
  await expect(lines.getByRole('row', { name: /^Standing/ })).toContainText('1');

  // The seat comes back: the waiter is offered it and pays on the reservation's page.
  expect((await request.delete(`/reservations/${sold}`, { headers: first.headers })).ok()).toBe(true);
  let offer: { id: string; holdExpiresAt: string; createdAt: string } | undefined;
  await expect
    .poll(
      async () => {
        const mine = (await (await request.get('/reservations', { headers: waiter.headers })).json()) as {
          items: { id: string; eventId: string; waitingListOffer?: boolean; holdExpiresAt: string; createdAt: string }[];
        };
        offer = mine.items.find((r) => r.eventId === event.id && r.waitingListOffer);
        return !!offer;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  expect(Date.parse(offer!.holdExpiresAt) - Date.parse(offer!.createdAt)).toBe(15 * 60 * 1000);
  await page.goto(`/tickets/${offer!.id}`);
  await expect(page.getByText('Seats came back and are held for you from the waiting list.', { exact: false })).toBeVisible({ timeout: 30_000 });
  expect(await accessibilityProblems(page)).toEqual([]);
  await fillCard(page, CARDS.ok);
  await page.getByRole('button', { name: /^Pay/ }).click();
  await expect(page.getByText('Confirmed', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('img', { name: /QR code of ticket/ })).toHaveCount(1);

  // Out of line now; the organizer's page says so.
  await organizer.reload();
  await expect(organizer.getByRole('region', { name: 'Waiting lists' })).toContainText('0 people waiting in all.');
  await context.close();
});
