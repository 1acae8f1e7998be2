import { test, expect, Page } from '@playwright/test';
import { logIn, shot, waitForHydration } from './support';

// Each run makes its own names, so the tests can run again on the same database.
const run = Date.now().toString(36);

async function shoot(page: Page, name: string) {
  await shot(page, `${name}-desktop`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  // Let the narrow layout settle before the picture.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await shot(page, `${name}-390`);
  if (size) await page.setViewportSize(size);
}

// Opens a page and waits until the wasm has taken it over (buttons work).
async function open(page: Page, path: string, heading: string | RegExp) {
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  await waitForHydration(page);
}

test.beforeEach(async ({ page }) => {
  await logIn(page);
});

test('a marketer creates a contact, corrects a bad date, and puts it in a group', async ({ page }) => {
  const email = `ada.${run}@example.org`;
  const group = `Newsletter ${run}`;

  await open(page, '/groups', 'Groups');
  await expect(async () => {
    await page.getByLabel('Group name').fill(group);
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect(page.getByRole('link', { name: group })).toBeVisible({ timeout: 2000 });
  }).toPass();
  await shoot(page, 'groups');

  await open(page, '/contacts', 'Contacts');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('Last name').fill('Lovelace');
  await page.getByRole('button', { name: 'Create contact' }).click();
  await expect(page).toHaveURL(/\/contacts\/\d+$/);
  await expect(page.getByTestId('contact-email')).toHaveText(email);

  // Its values are grouped as the webhook step groups them.
  for (const section of ['Contact details', 'Consent information', 'Personal statistics']) {
    await expect(page.getByRole('group', { name: section })).toBeVisible();
  }
  await waitForHydration(page);

  // A bad date: nothing is saved and the problem sits beside the field.
  const birth = page.getByLabel('Birth date');
  await birth.fill('31/02/1815');
  await page.getByLabel('Company').fill('Analytical Engines');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(birth).toHaveAttribute('aria-invalid', 'true');
  const problemId = (await birth.getAttribute('aria-describedby'))!.split(' ').find((id) => id.endsWith('-problem'));
  await expect(page.locator(`#${problemId}`)).toBeVisible();
  await expect(page.locator(`#${problemId}`)).toContainText(/date/i);
  await shoot(page, 'contact-problem');

  await birth.fill('1815-12-10');
  await page.getByLabel('Consent type').selectOption('express');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(birth).not.toHaveAttribute('aria-invalid', 'true');
  await page.reload();
  await expect(page.getByLabel('Birth date')).toHaveValue('1815-12-10');
  await expect(page.getByLabel('Company')).toHaveValue('Analytical Engines');
  await waitForHydration(page);

  // Into the group.
  await page.getByLabel('Add to group').selectOption({ label: group });
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByTestId('contact-groups').getByRole('link', { name: group })).toBeVisible();
  await shoot(page, 'contact');

  // The group lists it among its members.
  await page.getByTestId('contact-groups').getByRole('link', { name: group }).click();
  await expect(page.getByRole('heading', { level: 1, name: group })).toBeVisible();
  await expect(page.getByTestId('member-table').getByRole('link', { name: email })).toBeVisible();
  await shoot(page, 'group');

  // The contact list finds it by email.
  await open(page, '/contacts', 'Contacts');
  await page.getByLabel('Search by email').fill(email);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('link', { name: email })).toBeVisible();
  await shoot(page, 'contacts');
});

test('a subscription form is created and its public page opens', async ({ page }) => {
  const name = `Sign-up ${run}`;
  await open(page, '/forms', 'Forms');
  await page.getByLabel('Kind').selectOption('subscription');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create form' }).click();
  const row = page.getByTestId('form-table').getByRole('row', { name: new RegExp(name) });
  await expect(row).toBeVisible();
  await expect(row).toContainText('Subscription');
  await expect(page.getByTestId('form-preview')).toBeVisible();
  await shoot(page, 'forms');

  const href = await row.getByRole('link').getAttribute('href');
  expect(href).toMatch(/^\/f\/[A-Za-z0-9]{24}$/);
  const res = await page.goto(href!);
  expect(res?.status()).toBe(200);
  await expect(page.getByText(name).first()).toBeVisible();
  await shot(page, 'form-public');
});

test('an admin creates an API token, sees it once, and rotates the signing secret', async ({ page }) => {
  const name = `CRM sync ${run}`;
  await open(page, '/settings', 'Settings');
  await page.getByLabel('Token name').fill(name);
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = page.getByLabel('Your new API token');
  await expect(token).toHaveValue(/^hf_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId('new-token-once')).toContainText('Shown only once');
  await expect(page.getByRole('button', { name: 'Copy' })).toBeVisible();
  const secret = await token.inputValue();
  const row = page.getByTestId('token-table').getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText(secret.slice(0, 10));

  // The token works against the REST API.
  const api = await page.request.get('/api/v1/account', { headers: { Authorization: `Bearer ${secret}` } });
  expect(api.status()).toBe(200);

  // Once: after a reload only its first characters are left.
  await page.reload();
  await expect(page.getByTestId('token-table').getByRole('row', { name: new RegExp(name) })).toBeVisible();
  await expect(page.getByLabel('Your new API token')).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  await waitForHydration(page);

  // The signing secret: generate (the first time) or rotate after confirming.
  const generate = page.getByRole('button', { name: 'Generate a secret' });
  if (await generate.isVisible()) {
    await generate.click();
    await expect(page.getByLabel('Your new signing secret')).toHaveValue(/^whsec_/);
    await page.reload();
    await waitForHydration(page);
  }
  await page.getByRole('button', { name: 'Rotate the secret' }).click();
  await page.getByRole('button', { name: 'Yes, rotate' }).click();
  const whsec = page.getByLabel('Your new signing secret');
  await expect(whsec).toHaveValue(/^whsec_[A-Za-z0-9+/=]+$/);
  await expect(page.getByTestId('secret-status')).toContainText('A signing secret is set');
  await shoot(page, 'settings');
  const value = await whsec.inputValue();
  await page.reload();
  await expect(page.getByTestId('secret-status')).toContainText('A signing secret is set');
  expect(await page.content()).not.toContain(value);

  // Revoking the token ends its access.
  await waitForHydration(page);
  await page.getByRole('button', { name: `Revoke ${name}` }).click();
  await expect(page.getByTestId('token-table').getByRole('row', { name: new RegExp(name) })).toHaveCount(0);
  const refused = await page.request.get('/api/v1/account', { headers: { Authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);
});

test('a bad password or time zone is refused beside its field', async ({ page }) => {
  await open(page, '/settings', 'Settings');
  await page.getByLabel('Email', { exact: true }).fill(`marketer.${run}@example.org`);
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#new-user-password-problem')).toContainText('too short');
  await page.getByLabel('Password').fill('a river of 7 green kites');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('cell', { name: `marketer.${run}@example.org`, exact: true })).toBeVisible();

  await page.getByRole('textbox', { name: 'Time zone' }).fill('Mars/Olympus');
  await page.getByRole('button', { name: 'Save time zone' }).click();
  await expect(page.locator('#time-zone-problem')).toContainText('not a time zone');
  await page.getByRole('textbox', { name: 'Time zone' }).fill('Europe/Paris');
  await page.getByRole('button', { name: 'Save time zone' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
});
