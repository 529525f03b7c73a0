// Organizer webhooks on the site: the demo organizer adds an endpoint (a receiver
// this test runs on a loopback port), sees its signing secret once, sees a paid
// booking delivered in the endpoint's log, sends it again with the same
// webhook-id, and switches the endpoint off.

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessibilityProblems, expect, newAccount, organizerEvent, signInTo, test } from './support';

test('an organizer adds a webhook endpoint, sees a paid booking delivered, sends it again and switches it off', async ({ page, request }) => {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  try {
    await signInTo(page, '/organize');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();

    const form = page.getByRole('form', { name: 'New endpoint' });
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(form.getByText('Enter the URL to post to.')).toBeVisible();
    await form.getByLabel('URL').fill(url);
    await expect(form.getByRole('checkbox', { name: /A booking is paid/ })).toBeChecked();
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.getByTestId('webhook-secret')).toHaveText(/^whsec_/);
    const row = page.getByRole('row', { name: new RegExp(url.replace(/[.:/]/g, '\\$&')) });
    await expect(row).toContainText('On');
    expect(await accessibilityProblems(page)).toEqual([]);

    // A booking of the organizer's event, paid through the API.
    const event = await organizerEvent(request, [{ name: 'Standard', priceMinor: 2500, capacity: 10, maxPerOrder: 2 }], {
      title: `Webhook night ${Date.now()}`,
      description: 'An evening the organizer’s CRM hears about.',
    });
    const { headers: buyer } = await newAccount(request, 'Hooked');
    const booked = await request.post('/reservations', {
      headers: buyer,
      data: { eventId: event.id, tierId: event.tiers[0].id, quantity: 1, paymentMethod: 'pm_card_visa' },
    });
    expect(booked.status()).toBe(201);
    const reservation = (await booked.json()) as { id: string };
    // Only this booking's news (the demo organizer's other events may have some too).
    const mine = () => received.filter((r) => (JSON.parse(r.body) as { data: { reservationId?: string } }).data.reservationId === reservation.id);
    await expect.poll(() => mine().length, { timeout: 60_000 }).toBe(1);
    const [first] = mine();
    expect((JSON.parse(first.body) as { type: string }).type).toBe('reservation.confirmed');
    expect(first.headers['webhook-signature']).toMatch(/^v1,/);
    const messageId = String(first.headers['webhook-id']);

    // The log, and the delivery sent again under the same id.
    await row.getByRole('button', { name: 'Deliveries' }).click();
    const log = page.getByRole('region', { name: `Deliveries to ${url}` });
    const entry = log.getByRole('row').filter({ hasText: messageId });
    await expect(entry).toContainText('Delivered');
    await expect(entry).toContainText('HTTP 204');
    await entry.getByRole('button', { name: 'Send again' }).click();
    await expect(log.getByText('Sent again.')).toBeVisible();
    await expect.poll(() => mine().length, { timeout: 60_000 }).toBe(2);
    expect(mine()[1].headers['webhook-id']).toBe(messageId);
    expect(await accessibilityProblems(page)).toEqual([]);

    await row.getByRole('button', { name: 'Switch off' }).click();
    await expect(row).toContainText('Switched off');
    await expect(row.getByRole('button', { name: 'Switch on' })).toBeVisible();
  } finally {
    receiver.close();
  }
});
