// axe-core on every page: no serious or critical violation, on a desktop and a phone.

import { accessibilityProblems, expect, screenshot, signIn, test } from './support';

const pages: { name: string; path: string; as?: string; heading: RegExp }[] = [
  { name: 'home', path: '/', heading: /Upcoming events/ },
  { name: 'search', path: '/?category=match&city=Lyon', heading: /Upcoming events/ },
  { name: 'sign-in', path: '/signin', heading: /Sign in/ },
  { name: 'sign-up', path: '/signup', heading: /Create an account/ },
  { name: 'not-found', path: '/no/such/page', heading: /Page not found/ },
  { name: 'tickets', path: '/tickets', as: 'attendee@demo.example', heading: /My tickets/ },
  { name: 'account', path: '/account', as: 'attendee@demo.example', heading: /Your account/ },
  { name: 'organizer-events', path: '/organize', as: 'organizer@demo.example', heading: /My events/ },
  { name: 'new-event', path: '/organize/new', as: 'organizer@demo.example', heading: /New event/ },
  { name: 'door-events', path: '/door', as: 'organizer@demo.example', heading: /Door check-in/ },
];

for (const viewport of [
  { label: 'desktop', width: 1280, height: 900 },
  { label: 'phone', width: 390, height: 844 },
]) {
  test.describe(viewport.label, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height } });

    for (const p of pages) {
      test(`${p.name} has no serious accessibility problem`, async ({ page }) => {
        if (p.as) {
          await signIn(page, p.as);
          // In-app navigation keeps the session (tokens live in memory only).
          await page.evaluate((path) => {
            window.history.pushState(null, '', path);
            window.dispatchEvent(new PopStateEvent('popstate'));
          }, p.path);
        } else {
          await page.goto(p.path);
        }
        await expect(page.getByRole('heading', { level: 1, name: p.heading })).toBeVisible();
        await expect(page.getByText(/^Loading/)).toHaveCount(0);
        expect(await accessibilityProblems(page)).toEqual([]);
      });
    }

    test('an event page and its checkout have no serious accessibility problem', async ({ page }) => {
      await signIn(page, 'attendee@demo.example');
      await page.getByRole('link', { name: 'Midnight Strings in Concert' }).click();
      await expect(page.getByRole('button', { name: /^Pay/ })).toBeEnabled();
      expect(await accessibilityProblems(page)).toEqual([]);
      if (viewport.label === 'phone') await screenshot(page, 'event-phone');
    });
  });
}
