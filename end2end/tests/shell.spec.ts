import { test, expect } from '@playwright/test';
import { logIn, shot, waitForHydration } from './support';

test.beforeEach(async ({ page }) => {
  await logIn(page);
});

test('the app shell is rendered on the server with the navigation', async ({ page }) => {
  // The page's request context shares the browser's session cookie.
  const res = await page.request.get('/');
  expect(res.status()).toBe(200);
  const html = await res.text();
  expect(html).toContain('Hookflow');
  for (const item of ['Scenarios', 'Contacts', 'Settings']) expect(html).toContain(item);
  expect(html).toContain('/pkg/hookflow.js');
});

test('the home page shows the system status and checks again on click', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Welcome to Hookflow' })).toBeVisible();
  await expect(page.getByTestId('database-status')).toHaveText('answering (SQLite)');
  await waitForHydration(page);
  // A click only reaches the server once the wasm runs: it calls a server function
  // (with the session's CSRF token in its header, or the server would say 403).
  const call = page.waitForResponse((r) => r.url().includes('/fn/system_status') && r.status() === 200);
  await page.getByRole('button', { name: 'Check again' }).click();
  await call;
  await expect(page.getByTestId('database-status')).toHaveText('answering (SQLite)');
  await shot(page, 'home');
});

test('on a narrow screen the menu button opens the navigation', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto('/');
  await waitForHydration(page);
  const toggle = page.getByRole('button', { name: 'Menu' });
  await expect(page.getByRole('link', { name: 'Contacts' })).toBeHidden();
  await expect(async () => {
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true', { timeout: 1000 });
  }).toPass();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await shot(page, 'narrow-menu-open');
  await page.getByRole('link', { name: 'Contacts' }).click();
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(page.getByRole('heading', { name: 'Contacts' })).toBeVisible();
  await shot(page, 'narrow-menu');
});

test('an unknown address answers 404 with a page that leads home', async ({ page }) => {
  const res = await page.goto('/no/such/page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});
