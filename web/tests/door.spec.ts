// The door: a scanner admits a ticket from the camera (a fake camera playing a video
// of the ticket's QR code), refuses it the second time, and goes on with no network
// (the page from the service worker, the list from IndexedDB), uploading its offline
// admissions when the network is back.

import { chromium, type APIRequestContext, type Browser } from '@playwright/test';
import qrcode from 'qrcode-generator';
import { writeFileSync } from 'node:fs';
import { accessibilityProblems, expect, newAccount, refusedByContentSecurityPolicy, seatedHall, signInTo, test, uniqueEmail } from './support';

interface Ticket {
  code: string;
  qr: string;
  seat?: string;
}

/**
 * A Y4M video (what Chromium's fake camera plays) of a QR code: 640×480, 4:2:0, a few
 * identical frames of black modules on white with the quiet zone.
 */
function qrVideo(path: string, text: string, frames = 5): void {
  const W = 640;
  const H = 480;
  const qr = qrcode(0, 'L');
  qr.addData(text);
  qr.make();
  const modules = qr.getModuleCount();
  const quiet = 4;
  const cell = Math.floor(H / (modules + 2 * quiet));
  const size = cell * (modules + 2 * quiet);
  const left = Math.floor((W - size) / 2) + quiet * cell;
  const top = Math.floor((H - size) / 2) + quiet * cell;
  const y = Buffer.alloc(W * H, 255);
  for (let r = 0; r < modules; r++) {
    for (let c = 0; c < modules; c++) {
      if (!qr.isDark(r, c)) continue;
      for (let dy = 0; dy < cell; dy++) y.fill(0, (top + r * cell + dy) * W + left + c * cell, (top + r * cell + dy) * W + left + (c + 1) * cell);
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}

test.describe.serial('at the door', () => {
  let browser: Browser;
  let api: APIRequestContext;
  let event: { id: string; title: string };
  let tickets: Ticket[];
  let buyer: string;

  test.beforeAll(async ({ playwright }, testInfo) => {
    testInfo.setTimeout(90_000);
    api = await playwright.request.newContext({ baseURL: process.env.SITE_URL });
    // The organizer's seated hall, one gate (Nord) for every tier.
    const hall = await seatedHall(api);
    event = hall.event;
    const tierId = hall.event.tiers[0].id;
    const door = await api.put(`/events/${event.id}/door`, { headers: hall.headers, data: { gates: [{ name: 'Nord' }], reentry: false } });
    expect(door.ok()).toBe(true);

    // A buyer books two seats through the API, with Stripe's test card.
    const account = await newAccount(api, 'Ada Door');
    buyer = account.email;
    const buyerHeaders = account.headers;
    const booked = await api.post('/reservations', {
      headers: { ...buyerHeaders, 'idempotency-key': `door-${Date.now()}` },
      data: { eventId: event.id, tierId, quantity: 2, paymentMethod: 'pm_card_visa' },
    });
    expect(booked.ok()).toBe(true);
    const { id } = (await booked.json()) as { id: string };
    await expect
      .poll(
        async () => {
          const r = (await (await api.get(`/reservations/${id}`, { headers: buyerHeaders })).json()) as { status: string; tickets: Ticket[] };
          tickets = r.tickets;
          return r.status === 'confirmed' && r.tickets.length === 2 && r.tickets.every((t) => t.qr) ? 'confirmed' : r.status;
        },
        { timeout: 30_000 },
      )
      .toBe('confirmed');
    // The door learns of the tickets from the reservations' stream.
    await expect
      .poll(
        async () => {
          const list = (await (await api.get(`/events/${event.id}/door/tickets`, { headers: hall.headers })).json()) as { tickets?: { code: string }[] };
          return (list.tickets ?? []).filter((t) => tickets.some((mine) => mine.code === t.code)).length;
        },
        { timeout: 30_000 },
      )
      .toBe(2);

    // A browser whose camera films the first ticket's QR code.
    const video = testInfo.outputPath('ticket.y4m');
    qrVideo(video, tickets[0].qr);
    const launch = testInfo.project.use.launchOptions ?? {};
    browser = await chromium.launch({
      executablePath: launch.executablePath ?? '/usr/bin/chromium',
      args: [
        ...(launch.args ?? []),
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
  });

  test.afterAll(async () => {
    await browser?.close();
    await api?.dispose();
  });

  test('the camera admits a ticket, and the same ticket again is refused as already admitted', async ({ baseURL }) => {
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
    const refused = refusedByContentSecurityPolicy(context);
    const page = await context.newPage();
    await signInTo(page, `/door/${event.id}`);
    await expect(page.getByRole('heading', { level: 1, name: `Door: ${event.title}` })).toBeVisible();
    await expect(page.getByLabel('Gate')).toHaveValue('Nord');

    const answer = page.getByRole('status', { name: 'Scan result' });
    await expect(answer.locator('.verdict-title')).toHaveText('Admitted', { timeout: 30_000 });
    await expect(answer).toHaveClass(/verdict-ok/);
    await expect(answer).toContainText(tickets[0].seat ?? 'Stalls');
    expect(await accessibilityProblems(page)).toEqual([]);

    // A damaged QR code: the bare code typed by hand.
    await page.getByLabel('Ticket code').fill(tickets[0].code);
    await page.getByRole('button', { name: 'Check code' }).click();
    await expect(answer.locator('.verdict-title')).toHaveText(/^Already admitted at \d\d:\d\d at gate Nord$/);
    await expect(answer).toHaveClass(/verdict-refused/);
    await expect(page.locator('#summary')).toContainText('1 admitted');
    expect(refused, 'what the Content-Security-Policy refused').toEqual([]);
    await context.close();
  });

  test('with the network cut, the scanner still opens, admits offline, refuses a forged code, and uploads once back', async ({
    baseURL,
  }) => {
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
    const refused = refusedByContentSecurityPolicy(context);
    const page = await context.newPage();
    await signInTo(page, `/door/${event.id}`);
    await expect(page.getByText(/^\d+ tickets kept on this device, downloaded at/)).toBeVisible();
    // Only the typed codes in this story: the camera films the first ticket.
    await page.getByRole('button', { name: 'Stop camera' }).click();
    await page.evaluate(() => navigator.serviceWorker.ready);

    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: `Door: ${event.title}` })).toBeVisible();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await expect(page.getByText('Offline', { exact: true })).toBeVisible();
    await expect(page.getByText('0 scans waiting to upload')).toBeVisible();

    const answer = page.getByRole('status', { name: 'Scan result' });
    await page.getByLabel('Ticket code').fill(tickets[1].qr);
    await page.getByRole('button', { name: 'Check code' }).click();
    await expect(answer.locator('.verdict-title')).toHaveText('Admitted (offline)');
    await expect(page.getByText('1 scan waiting to upload')).toBeVisible();

    // The second ticket's code changed by one character: its signature no longer verifies.
    const [header, payload, signature] = tickets[1].qr.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { t: string };
    claims.t = claims.t.slice(0, -1) + (claims.t.endsWith('A') ? 'B' : 'A');
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    await page.getByLabel('Ticket code').fill(forged);
    await page.getByRole('button', { name: 'Check code' }).click();
    await expect(answer.locator('.verdict-title')).toHaveText('Forged code');
    await expect(answer).toHaveClass(/verdict-refused/);
    await expect(page.getByText('1 scan waiting to upload')).toBeVisible();

    // Back online: the session cookie signs the scanner in again (the reload had no
    // network to do it), and the queue goes up without anyone typing a password.
    await context.setOffline(false);
    await expect(page.getByText('Online', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: `Door: ${event.title}` })).toBeVisible();
    await expect(page.getByText('0 scans waiting to upload')).toBeVisible();
    await expect(page.locator('#summary')).toContainText('2 admitted');
    expect(refused, 'what the Content-Security-Policy refused').toEqual([]);
    await context.close();
  });

  test('the organizer adds door staff by email, is told when there is no such account, and revokes', async ({ page }) => {
    await signInTo(page, `/organize/${event.id}`);
    const door = page.getByRole('region', { name: 'Door' });
    await expect(door.getByRole('link', { name: 'Open the door scanner' })).toHaveAttribute('href', `/door/${event.id}`);
    await expect(door.getByLabel('Gate 1 name')).toHaveValue('Nord');

    await door.getByLabel('Email of a door staff member').fill(uniqueEmail('nobody'));
    await door.getByRole('button', { name: 'Add to door staff' }).click();
    await expect(door.getByRole('alert')).toHaveText('No account with that email: ask them to sign up first.');

    await door.getByLabel('Email of a door staff member').fill(buyer);
    await door.getByRole('button', { name: 'Add to door staff' }).click();
    const staff = door.getByRole('list', { name: 'Door staff' });
    await expect(staff).toContainText(buyer);
    expect(await accessibilityProblems(page)).toEqual([]);
    await staff.getByRole('button', { name: `Revoke ${buyer}` }).click();
    await expect(door.getByText('No door staff yet: only you can scan.')).toBeVisible();
  });
});
