import { test, expect } from '@playwright/test';
import { axe, logIn, waitForHydration } from './support';

test('the main pages have no accessibility violations (axe-core)', async ({ page }) => {
  await logIn(page);
  // A contact to open.
  await page.goto('/contacts');
  await waitForHydration(page);
  const email = `axe.${Date.now().toString(36)}@example.org`;
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Create contact' }).click();
  await expect(page).toHaveURL(/\/contacts\/\d+$/);
  const contactPath = new URL(page.url()).pathname;

  for (const path of ['/', '/scenarios', '/contacts', contactPath, '/groups', '/forms', '/settings', '/webhooks']) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(path);
      await expect(page.locator('h1')).toBeVisible();
      await waitForHydration(page);
      const violations = await axe(page);
      expect(violations, `${path} at ${width}px`).toEqual([]);
    }
  }
});
