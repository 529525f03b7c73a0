// The site's security headers, as the template's CloudFront response headers policy
// gives them (the local runner serves the same): every page and file carries them,
// and the Content-Security-Policy really stops injected and foreign scripts (eval is
// refused by the header's lack of 'unsafe-eval'; a test cannot try it: Playwright's
// evaluate runs as DevTools, which the policy does not cover).

import { expect, refusedByContentSecurityPolicy, test } from './support';

test('every answer of the site carries the security headers', async ({ request }) => {
  for (const path of ['/', '/door/some-event', '/organize/webhooks', '/config.json', '/sw.js']) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    const headers = response.headers();
    const csp = headers['content-security-policy'] ?? '';
    const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';
    expect(directive('default-src'), path).toBe("default-src 'self'");
    // Scripts from the site and Stripe.js only: nothing inline, nothing evaluated.
    expect(directive('script-src'), path).toMatch(/^script-src 'self' \S+/);
    expect(directive('script-src'), path).not.toMatch(/unsafe-inline|unsafe-eval|\*(?!\.)/);
    expect(directive('frame-ancestors'), path).toBe("frame-ancestors 'none'");
    expect(directive('object-src'), path).toBe("object-src 'none'");
    expect(headers['strict-transport-security'], path).toMatch(/^max-age=\d{8,}; includeSubDomains/);
    expect(headers['x-content-type-options'], path).toBe('nosniff');
    expect(headers['x-frame-options'], path).toBe('DENY');
    expect(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
    // The camera for the site's own door scanner, never for an embedded frame.
    expect(headers['permissions-policy'], path).toContain('camera=(self)');
    expect(headers['permissions-policy'], path).toContain('microphone=()');
  }
});

test('the policy stops an injected inline script and a script from elsewhere', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  const refused = refusedByContentSecurityPolicy(context);
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const outcome = await page.evaluate(async () => {
    const w = window as unknown as Record<string, unknown>;
    const inline = document.createElement('script');
    inline.textContent = 'window.injectedRan = true';
    document.head.append(inline);
    const foreign = await new Promise<string>((resolve) => {
      const script = document.createElement('script');
      script.src = 'https://cdn.example.invalid/steal.js';
      script.onload = () => resolve('loaded');
      script.onerror = () => resolve('blocked');
      document.head.append(script);
    });
    return { inlineRan: w.injectedRan === true, foreign };
  });
  expect(outcome).toEqual({ inlineRan: false, foreign: 'blocked' });
  // Each was refused by the policy, not by chance (a name that does not resolve).
  await expect.poll(() => refused.length).toBeGreaterThanOrEqual(2);
  expect(refused.join('\n')).toContain('cdn.example.invalid');
  await context.close();
});
