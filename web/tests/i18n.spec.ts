// The site in French and English: the browser's language at first, the reader's own
// choice (on this device when signed out, on the account when signed in), and the
// account's language wherever its owner signs in.

import { accessibilityProblems, expect, refusedByContentSecurityPolicy, test, uniqueEmail } from './support';

const PASSWORD = 'a long enough password';

test.use({ locale: 'fr-FR' });

test('a French browser gets the site in French; the language chosen on the account follows its owner', async ({ page, browser, baseURL }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByRole('heading', { level: 1, name: 'Prochains événements' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Rechercher' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Se connecter' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Cup Final: Lyon v Marseille' })).toBeVisible();
  expect(await accessibilityProblems(page)).toEqual([]);

  // Signed out, the switch in the header is kept on this device.
  await page.getByLabel('Langue').selectOption('en');
  await expect(page.getByRole('heading', { level: 1, name: 'Upcoming events' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Upcoming events' })).toBeVisible();
  await page.getByLabel('Language').selectOption('fr');
  await expect(page.getByRole('heading', { level: 1, name: 'Prochains événements' })).toBeVisible();

  // Signing up, in French.
  const email = uniqueEmail('langue');
  await page.getByRole('link', { name: 'Se connecter' }).click();
  await page.getByRole('link', { name: 'Créer un compte' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Créer un compte' })).toBeVisible();
  await page.getByLabel('Votre nom').fill('Amélie Langue');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await expect(page.getByRole('button', { name: 'Se déconnecter' })).toBeVisible();

  // The account page: English, then French again, each saved to the account.
  await page.getByRole('link', { name: 'Amélie Langue' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Votre compte' })).toBeVisible();
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.getByRole('radio', { name: 'English' }).check();
  await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Your language was saved.' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('radio', { name: 'Français' }).check();
  await expect(page.getByRole('heading', { level: 1, name: 'Votre compte' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Votre langue a été enregistrée.' })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'Français' })).toBeChecked();

  // A reload keeps the session (its cookie) and the account's French.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Votre compte' })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'Français' })).toBeChecked();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');

  // An English browser: English until its owner signs in, then the account's French.
  const english = await browser.newContext({ baseURL, locale: 'en-US' });
  const refused = refusedByContentSecurityPolicy(english);
  const other = await english.newPage();
  await other.goto('/signin');
  await expect(other.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await other.getByLabel('Email').fill(email);
  await other.getByLabel('Password').fill(PASSWORD);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
  await expect(other.getByRole('heading', { level: 1, name: 'Prochains événements' })).toBeVisible();
  await expect(other.locator('html')).toHaveAttribute('lang', 'fr');
  expect(refused, 'what the Content-Security-Policy refused').toEqual([]);
  await english.close();
});

test('French dates and money on an event page, still at the event’s own time', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Midnight Strings in Concert' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Midnight Strings in Concert' })).toBeVisible();
  await expect(page.getByText('(Europe/London)')).toBeVisible();
  await expect(page.getByText(/à 19:30 \(Europe\/London\)/)).toBeVisible();
  await expect(page.getByRole('row', { name: /^Stalls/ })).toContainText(/35,00\s£/);
  await expect(page.getByRole('link', { name: 'Se connecter pour réserver' })).toBeVisible();
  expect(await accessibilityProblems(page)).toEqual([]);
});
