// A session survives a reload: the refresh token waits in an HttpOnly cookie (no
// script of the page can read it), the access token in the page's memory; signing
// out clears both.

import { expect, newAccount, PASSWORD, signInTo, test } from './support';

test('a reload keeps the buyer signed in, no script sees the refresh token, and signing out ends it', async ({ page, request }) => {
  const buyer = await newAccount(request, 'Reloader');
  await signInTo(page, '/tickets', buyer.email, PASSWORD);
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();

  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Reloader' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'My tickets' })).toBeVisible();
  // The cookie is the browser's alone: HttpOnly, Secure, SameSite=Strict, for /auth.
  expect(await page.evaluate(() => document.cookie)).not.toContain('refresh');
  const [cookie] = (await page.context().cookies()).filter((c) => c.name === '__Secure-refresh');
  expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/auth' });

  // A new tab of the same browser is signed in too.
  const tab = await page.context().newPage();
  await tab.goto('/account');
  await expect(tab.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await tab.close();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Sign in' })).toBeVisible();
  expect((await page.context().cookies()).filter((c) => c.name === '__Secure-refresh')).toEqual([]);
  await page.reload();
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
});
