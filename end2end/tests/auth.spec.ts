import { test, expect } from '@playwright/test';
import { admin, logIn, shot, waitForHydration } from './support';

test('a page asked for without a session leads to the login, and back after it', async ({ page }) => {
  // The page the server renders after a failed attempt must hydrate cleanly.
  // (Chromium also logs the 401 of that page itself; that one is expected.)
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('status of 401')) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/scenarios');
  await expect(page).toHaveURL(/\/login\?next=%2Fscenarios$/);
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await shot(page, 'login');

  // A wrong password: the page again, with the email kept.
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill('not the pass phrase');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Email or password is wrong.');
  await expect(page.getByLabel('Email')).toHaveValue(admin.email);
  await expect(page).toHaveURL(/\/login\?next=%2Fscenarios$/);
  await waitForHydration(page);
  await expect(page.getByLabel('Password')).toBeFocused();
  expect(errors).toEqual([]);

  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/scenarios$/);
  await expect(page.getByRole('heading', { name: 'Scenarios' })).toBeVisible();
  await expect(page.getByTestId('user-email')).toHaveText(admin.email);
});

test('logging out ends the session: pages lead to the login again', async ({ page }) => {
  await logIn(page);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/scenarios');
  await expect(page).toHaveURL(/\/login\?next=%2Fscenarios$/);
  // The server forgot the session; the browser has no cookie left either.
  expect((await page.context().cookies()).map((c) => c.name)).not.toContain('hookflow_session');
});

test('the login form works without the wasm', async ({ page }) => {
  await page.route('**/*.wasm', (route) => route.abort());
  await logIn(page, '/contacts');
  await expect(page).toHaveURL(/\/contacts$/);
});

test('on a narrow screen the login page fits', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto('/login');
  await shot(page, 'login-narrow');
  await page.getByLabel('Email').fill('someone@example.org');
  await page.getByLabel('Password').fill('a wrong pass phrase');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(page, 'login-narrow-problem');
});

test('when the session ends, the next server call leads to the login and back', async ({ page, context }) => {
  await logIn(page);
  await waitForHydration(page);
  // Logged out in another tab.
  const other = await context.newPage();
  await other.goto('/');
  await other.getByRole('button', { name: 'Log out' }).click();
  await expect(other).toHaveURL(/\/login$/);
  await page.getByRole('button', { name: 'Check again' }).click();
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
});
