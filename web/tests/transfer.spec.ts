// A confirmed booking's page: its tickets as a PDF and the event for a calendar
// (fetched with the session, saved under the event's name), and giving the tickets
// to someone else's account, after a confirmation.

import { readFileSync } from 'node:fs';
import { accessibilityProblems, expect, newAccount, PASSWORD, seatedHall, signInTo, test, uniqueEmail } from './support';

test('a buyer saves the tickets and the event, then gives the tickets to a friend after confirming', async ({ page, request }) => {
  const { event } = await seatedHall(request);
  const tierId = event.tiers[0].id;
  const { title } = event;
  const buyer = await newAccount(request, 'Giver');
  const friend = await newAccount(request, 'Friend');
  const booked = await request.post('/reservations', {
    headers: { ...buyer.headers, 'idempotency-key': `transfer-${Date.now()}` },
    data: { eventId: event.id, tierId, quantity: 2, paymentMethod: 'pm_card_visa' },
  });
  expect(booked.ok()).toBe(true);
  const { id } = (await booked.json()) as { id: string };
  await expect
    .poll(async () => ((await (await request.get(`/reservations/${id}`, { headers: buyer.headers })).json()) as { status: string }).status, {
      timeout: 30_000,
    })
    .toBe('confirmed');

  await signInTo(page, `/tickets/${id}`, buyer.email, PASSWORD);
  await expect(page.getByText('Confirmed', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('img', { name: /QR code of ticket/ })).toHaveCount(2);
  expect(await accessibilityProblems(page)).toEqual([]);

  // The PDF and the calendar file, when the platform has them; a clear message when not.
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const hasDocuments = (await request.get(`/reservations/${id}/tickets.pdf`, { headers: buyer.headers })).ok();
  if (hasDocuments) {
    const pdf = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the tickets (PDF)' }).click();
    const saved = await pdf;
    expect(saved.suggestedFilename()).toBe(`tickets-${slug}.pdf`);
    expect(readFileSync(await saved.path()).subarray(0, 5).toString()).toBe('%PDF-');
    const ics = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Add to my calendar (.ics)' }).click();
    const calendar = await ics;
    expect(calendar.suggestedFilename()).toBe(`${slug}.ics`);
    expect(readFileSync(await calendar.path(), 'utf8')).toContain('BEGIN:VCALENDAR');
  } else {
    await page.getByRole('button', { name: 'Download the tickets (PDF)' }).click();
    await expect(page.getByRole('alert')).toContainText('The tickets could not be downloaded.');
  }

  // Giving them away: an email with no account, then their own, are refused in words.
  const form = page.getByRole('form', { name: 'Give these tickets to someone' });
  const nobody = uniqueEmail('nobody');
  await form.getByLabel('Their email').fill(nobody);
  await form.getByRole('button', { name: 'Give the tickets' }).click();
  const dialog = page.getByRole('dialog', { name: `Give these tickets to ${nobody}?` });
  await expect(dialog).toContainText('This cannot be undone.');
  await dialog.getByRole('button', { name: 'Yes, give them' }).click();
  await expect(form.getByRole('alert')).toHaveText('No account has this email: ask them to sign up first.');

  await form.getByLabel('Their email').fill(buyer.email);
  await form.getByRole('button', { name: 'Give the tickets' }).click();
  await page.getByRole('dialog', { name: `Give these tickets to ${buyer.email}?` }).getByRole('button', { name: 'Yes, give them' }).click();
  await expect(form.getByRole('alert')).toContainText('These tickets are already yours');

  // Going back on the dialog sends nothing.
  await form.getByLabel('Their email').fill(friend.email);
  await form.getByRole('button', { name: 'Give the tickets' }).click();
  await page.getByRole('dialog', { name: `Give these tickets to ${friend.email}?` }).getByRole('button', { name: 'Go back' }).click();
  await expect(page.getByRole('img', { name: /QR code of ticket/ })).toHaveCount(2);

  await form.getByRole('button', { name: 'Give the tickets' }).click();
  await page.getByRole('dialog', { name: `Give these tickets to ${friend.email}?` }).getByRole('button', { name: 'Yes, give them' }).click();
  await expect(page).toHaveURL(/\/tickets$/);
  await expect(page.getByRole('status').filter({ hasText: `now belong to ${friend.email}` })).toBeVisible();
  await expect(page.getByRole('link', { name: title })).toHaveCount(0);

  // They are the friend's now.
  const mine = (await (await request.get('/reservations?limit=50', { headers: friend.headers })).json()) as { items: { eventId: string; status: string }[] };
  expect(mine.items.some((r) => r.eventId === event.id && r.status === 'confirmed')).toBe(true);
});
