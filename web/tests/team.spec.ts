// An organizer's team on the site: the organizer adds a door member and a viewer
// by email, the door member finds the organizer's event on their scanner's list,
// and the organizer removes the viewer after a confirmation.

import { accessibilityProblems, expect, newAccount, organizerEvent, PASSWORD, signInTo, test } from './support';

test('an organizer builds a team; the door member finds the events at the door', async ({ browser, page, request }) => {
  const event = await organizerEvent(request, [{ name: 'Standing', priceMinor: 2500, capacity: 50, maxPerOrder: 4 }], {
    title: `Team night ${Date.now()}`,
  });
  const door = await newAccount(request, 'Dora Door');
  const viewer = await newAccount(request, 'Vic Viewer');

  await signInTo(page, '/organize/team');
  await expect(page.getByRole('heading', { level: 1, name: 'Team' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Add a member' });
  await form.getByLabel('Email').fill(door.email);
  await form.getByLabel('Part').selectOption('door');
  await form.getByRole('button', { name: 'Add to the team' }).click();
  await expect(page.getByText('Dora Door is in the team as Door staff.')).toBeVisible();
  await form.getByLabel('Email').fill(viewer.email);
  await form.getByLabel('Part').selectOption('viewer');
  await form.getByRole('button', { name: 'Add to the team' }).click();
  await expect(page.getByText('Vic Viewer is in the team as Viewer.')).toBeVisible();
  await expect(page.getByRole('row', { name: /Dora Door/ })).toContainText('Door staff');
  expect(await accessibilityProblems(page)).toEqual([]);

  // The door member's scanner lists the organizer's event.
  const context = await browser.newContext();
  const scanner = await context.newPage();
  await signInTo(scanner, '/door', door.email, PASSWORD);
  await expect(scanner.getByRole('link', { name: event.title })).toBeVisible({ timeout: 30_000 });
  await expect(scanner.getByText('the organizer’s team').first()).toBeVisible();
  await context.close();

  // Removing the viewer, after a confirmation.
  await page.getByRole('button', { name: 'Remove Vic Viewer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove Vic Viewer from the team?' });
  await dialog.getByRole('button', { name: 'Yes, remove' }).click();
  await expect(page.getByText('Vic Viewer is no longer in the team.')).toBeVisible();
  await expect(page.getByRole('row', { name: /Vic Viewer/ })).toHaveCount(0);
});
