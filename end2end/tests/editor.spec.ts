import { test, expect, Page, Route } from '@playwright/test';
import { axe, logIn, loopbackReceiver, shot, waitForHydration } from './support';

// A real destination on loopback: /ok accepts, /fail answers 500.
const received: { path: string; body: string }[] = [];
const receiver = loopbackReceiver((path, body) => {
  received.push({ path, body });
  return path === '/fail'
    ? { status: 500, type: 'text/plain', body: 'database is down' }
    : { status: 200, type: 'application/json', body: '{"ok":true}' };
});
let base = '';
test.beforeAll(async () => {
  base = await receiver.start();
});
test.afterAll(() => receiver.close());

test('a marketer builds a webhook scenario, tests it, activates it and sees a contact pass', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await logIn(page, '/scenarios');
  await expect(page.getByRole('heading', { name: 'Scenarios' })).toBeVisible();
  await waitForHydration(page);

  // Create: a name, and a subscription form as the trigger (made on the spot).
  await expect(async () => {
    await page.getByRole('button', { name: 'New scenario' }).click();
    await expect(page.getByLabel('Name', { exact: true })).toBeVisible({ timeout: 1000 });
  }).toPass();
  const name = `New customers to the CRM ${Date.now()}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Or a new subscription form named').fill(`Sign-up ${Date.now()}`);
  await page.getByRole('button', { name: 'Create the form' }).click();
  await expect(page.getByRole('combobox', { name: 'Subscription form', exact: true })).not.toHaveValue('');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page).toHaveURL(/\/scenarios\/\d+$/);
  const scenarioUrl = page.url();

  // An empty scenario cannot be activated: the problems are listed.
  await page.getByRole('button', { name: 'Activate' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'cannot be activated yet' })).toBeVisible();
  await page.getByRole('button', { name: 'Dismiss' }).click();

  // Insert a Send a Webhook step on the edge below the trigger.
  await page.getByRole('button', { name: 'Add a step here' }).first().click();
  await page.getByRole('menuitem', { name: 'Send a Webhook' }).click();
  const panel = page.getByRole('dialog', { name: 'Send a Webhook' });
  await expect(panel).toBeVisible();
  await expect(panel.getByLabel('URL')).toBeFocused();

  // Problems show beside the field before anything is saved.
  await panel.getByLabel('URL').fill('ftp://example.org/in');
  await expect(panel.locator('#webhook-url-problem')).not.toBeEmpty();
  await expect(panel.getByRole('button', { name: 'Add', exact: true })).toBeDisabled();

  // Test against the destination that accepts: green check mark.
  await panel.getByLabel('URL').fill(`${base}/ok`);
  await expect(panel.locator('#webhook-url-problem')).toBeEmpty();
  await panel.getByRole('button', { name: 'Test' }).click();
  await expect(panel.getByTestId('test-result')).toContainText('Accepted');
  await expect(panel.locator('.test-result.ok')).toBeVisible();
  const test200 = received.find((r) => r.path === '/ok');
  expect(JSON.parse(test200!.body).id).toMatch(/^test_evt_/);

  // And against one that fails: red X, and See error code says 500.
  await panel.getByLabel('URL').fill(`${base}/fail`);
  await panel.getByRole('button', { name: 'Test' }).click();
  await expect(panel.getByTestId('test-result')).toContainText('Not accepted');
  await panel.getByRole('button', { name: 'See error code' }).click();
  await expect(panel.getByTestId('error-details')).toContainText('HTTP 500');
  await expect(panel.getByTestId('error-details')).toContainText('database is down');
  await panel.getByLabel('URL').fill(`${base}/ok`);

  // Data to be transmitted: add the company; additional information with a placeholder.
  await panel.getByLabel('Company').check();
  await panel.getByRole('button', { name: '+ Add information' }).click();
  await panel.getByLabel('Additional information 1 key').fill('greeting');
  await panel.getByLabel('Additional information 1 value').fill('Hello ');
  await panel.getByRole('button', { name: 'Get placeholders' }).click();
  await panel.getByRole('button', { name: '{{firstname}}' }).click();
  await expect(panel.getByLabel('Additional information 1 value')).toHaveValue('Hello {{firstname}}');
  await panel.getByRole('button', { name: '+ Add header' }).click();
  await panel.getByLabel('Header 1 name').fill('X-Api-Key');
  await panel.getByLabel('Header 1 value').fill('k-123');
  await panel.getByLabel('Secret').check();
  // Everything is valid now: no problem shows, not even a warning sign without words.
  await expect(panel.locator('.field-problem:visible')).toHaveCount(0);
  await shot(page, 'editor-panel-desktop');
  expect(await axe(page), 'the editor with the webhook panel open').toEqual([]);
  await panel.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(panel).toBeHidden();

  // Saved as the marketer goes.
  await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
  const step = page.locator('.node-wrap').first();
  await expect(step).toContainText(`${base}/ok`);
  await shot(page, 'editor-desktop');
  expect(await axe(page), 'the editor').toEqual([]);

  // The saved secret comes back masked, never in clear.
  await page.reload();
  await waitForHydration(page);
  await expect(page.locator('.node-wrap').first()).toContainText(`${base}/ok`);
  expect(await page.content()).not.toContain('k-123');

  // Activate; then a contact submits the form.
  await expect(async () => {
    await page.getByRole('button', { name: 'Activate' }).click();
    await expect(page.getByTestId('scenario-status')).toHaveText('Active', { timeout: 2000 });
  }).toPass();
  await page.getByRole('button', { name: /^Trigger:/ }).click();
  const formPath = await page.getByTestId('form-link').getAttribute('href');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toBeHidden();

  const visitor = await browser.newPage();
  await visitor.goto(formPath!);
  await visitor.getByLabel(/Email/).fill(`jane.${Date.now()}@example.org`);
  await visitor.locator('button[type=submit]').click();
  await visitor.close();

  // The number above the step becomes 1, and its statistics say accepted 1.
  await expect(page.getByTestId('passes').first()).toHaveText('1', { timeout: 30_000 });
  await page.getByTestId('passes').first().click();
  const stats = page.getByRole('dialog', { name: 'Webhook statistics' });
  await expect(stats.getByTestId('stat-reached')).toHaveText('1');
  await expect(stats.getByTestId('stat-accepted')).toHaveText('1', { timeout: 30_000 });
  await expect(stats.getByTestId('stat-failed')).toHaveText('0');
  await shot(page, 'editor-stats-desktop');
  await page.keyboard.press('Escape');

  // The list shows it as active, with its link.
  await page.goto('/scenarios');
  await expect(page.getByRole('link', { name })).toHaveAttribute('href', new URL(scenarioUrl).pathname);
  await shot(page, 'scenarios-desktop');

  // At 390 px wide: the list, the editor and the open panel.
  await page.setViewportSize({ width: 390, height: 800 });
  await shot(page, 'scenarios-narrow');
  await page.goto(scenarioUrl);
  await waitForHydration(page);
  await expect(page.locator('.node-wrap').first()).toBeVisible();
  await shot(page, 'editor-narrow');
  await expect(async () => {
    await page.locator('.step-node .node-open').first().click();
    await expect(page.getByRole('dialog', { name: 'Send a Webhook' })).toBeVisible({ timeout: 1000 });
  }).toPass();
  await shot(page, 'editor-panel-narrow');
});

// Logs in and creates a scenario triggered by expiring consent (no form needed),
// leaving the browser in its editor.
async function newConsentScenario(page: Page, name: string) {
  await logIn(page, '/scenarios');
  await waitForHydration(page);
  await expect(async () => {
    await page.getByRole('button', { name: 'New scenario' }).click();
    await expect(page.getByLabel('Name', { exact: true })).toBeVisible({ timeout: 1000 });
  }).toPass();
  await page.getByLabel('Name', { exact: true }).fill(`${name} ${Date.now()}`);
  await page.getByRole('combobox', { name: 'Trigger', exact: true }).selectOption('consent_expiring');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page).toHaveURL(/\/scenarios\/\d+$/);
}

test('undo and redo bring back a deleted step; a condition splits into yes and no', async ({ page }) => {
  await newConsentScenario(page, 'Branches');

  await page.getByRole('button', { name: 'Add a step here' }).first().click();
  await page.getByRole('menuitem', { name: 'Wait' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Save step' }).click();
  await page.getByRole('button', { name: 'Add a step here' }).first().click();
  await page.getByRole('menuitem', { name: 'Condition' }).click();
  await page.keyboard.press('Escape');
  await expect(page.locator('.branch-label.yes')).toHaveText('Yes');
  await expect(page.locator('.branch-label.no')).toHaveText('No');
  await expect(page.locator('.step-node')).toHaveCount(2);

  await page.getByRole('button', { name: 'Delete this Condition step' }).click();
  await expect(page.locator('.step-node')).toHaveCount(1);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.locator('.step-node')).toHaveCount(2);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect(page.locator('.step-node')).toHaveCount(1);
  await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
});

test('leaving the editor with unsaved changes asks first, and asks nothing once they are saved', async ({ page }) => {
  await newConsentScenario(page, 'Unsaved');
  // Every save is held here, so the edit below stays unsaved as long as the test needs.
  const held: Route[] = [];
  await page.route('**/fn/save_scenario*', (route) => {
    held.push(route);
  });
  await page.getByRole('button', { name: 'Add a step here' }).first().click();
  await page.getByRole('menuitem', { name: 'Wait' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Save step' }).click();
  await expect(page.locator('.step-node')).toHaveCount(1);
  await expect.poll(() => held.length).toBe(1);
  await expect(page.getByTestId('save-state')).not.toHaveText('All changes saved');

  // Closing the tab asks first; staying keeps the page and the edit.
  const asked = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const dialog = await asked;
  expect(dialog.type()).toBe('beforeunload');
  await dialog.dismiss();
  expect(page.isClosed()).toBe(false);
  await expect(page.locator('.step-node')).toHaveCount(1);

  // The save goes through; now the tab closes without a question.
  for (const route of held) await route.continue();
  await page.unroute('**/fn/save_scenario*');
  await expect(page.getByTestId('save-state')).toHaveText('All changes saved');
  let askedAgain = false;
  page.on('dialog', (d) => {
    askedAgain = true;
    void d.accept();
  });
  const closed = page.waitForEvent('close');
  await page.close({ runBeforeUnload: true });
  await closed;
  expect(askedAgain).toBe(false);
});

test('conditions combine with AND or OR, a wait can last until a date, and the drawing pans', async ({ page }) => {
  await newConsentScenario(page, 'Combined');

  // A wait until a date and time.
  await page.getByRole('button', { name: 'Add a step here' }).first().click();
  await page.getByRole('menuitem', { name: 'Wait' }).click();
  let dialog = page.getByRole('dialog', { name: 'Wait' });
  await dialog.getByLabel('Until a date and time').check();
  await dialog.getByLabel('Until (UTC)').fill('2027-01-15T09:30');
  await dialog.getByRole('button', { name: 'Save step' }).click();
  await expect(page.locator('.step-node').first()).toContainText('until 2027-01-15 09:30 UTC');

  // A condition with two conditions joined by OR.
  await page.getByRole('button', { name: 'Add a step here' }).last().click();
  await page.getByRole('menuitem', { name: 'Condition' }).click();
  dialog = page.getByRole('dialog', { name: 'Condition' });
  await dialog.getByTestId('criteria-mode').selectOption('any');
  await expect(dialog.getByRole('group', { name: 'Condition 1' })).toBeVisible();
  await dialog.getByRole('button', { name: '+ Add a condition' }).click();
  const second = dialog.getByRole('group', { name: 'Condition 2' });
  await second.getByRole('combobox', { name: 'Condition' }).selectOption('field');
  await second.getByLabel('Value').fill('example.org');
  await expect(dialog.locator('.criteria-join')).toHaveText('or');
  await shot(page, 'editor-condition-or');
  await dialog.getByRole('button', { name: 'Save step' }).click();
  await expect(page.locator('.step-node', { hasText: 'Condition' })).toContainText('any of 2 conditions');
  await expect(page.getByTestId('save-state')).toHaveText('All changes saved');

  // Saved: after a reload both are as they were; the OR group can become AND.
  await page.reload();
  await waitForHydration(page);
  await expect(page.locator('.step-node', { hasText: 'Wait' })).toContainText('until 2027-01-15 09:30 UTC');
  await expect(async () => {
    await page.locator('.step-node', { hasText: 'Condition' }).locator('.node-open').click();
    await expect(page.getByRole('dialog', { name: 'Condition' })).toBeVisible({ timeout: 1000 });
  }).toPass();
  dialog = page.getByRole('dialog', { name: 'Condition' });
  await expect(dialog.getByRole('group', { name: 'Condition 2' }).getByLabel('Value')).toHaveValue('example.org');
  await dialog.getByTestId('criteria-mode').selectOption('all');
  await dialog.getByRole('button', { name: 'Remove condition 1' }).click();
  await dialog.getByRole('button', { name: 'Save step' }).click();
  await expect(page.locator('.step-node', { hasText: 'Condition' })).toContainText('all of 1 conditions');

  // Pan: zoomed in, dragging the background moves the drawing.
  for (let i = 0; i < 10; i++) await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect(page.getByRole('button', { name: 'Reset zoom' })).toContainText('200%');
  const viewport = page.locator('.flow-viewport');
  const scrolled = () => viewport.evaluate((el) => el.scrollLeft + el.scrollTop);
  const before = await scrolled();
  // A point of the background, away from steps and buttons, in the lower half.
  const start = await viewport.evaluate((el) => {
    const r = el.getBoundingClientRect();
    for (let y = r.bottom - 40; y > r.top + r.height / 2; y -= 20) {
      for (let x = r.left + 10; x < r.right - 30; x += 20) {
        const hit = document.elementFromPoint(x, y);
        if (hit && el.contains(hit) && !hit.closest('button, a, input, select, label, .node, [role=menu]')) return { x, y };
      }
    }
    return null;
  });
  expect(start, 'some background to grab').not.toBeNull();
  await page.mouse.move(start!.x, start!.y);
  await page.mouse.down();
  await page.mouse.move(start!.x - 150, start!.y - 200, { steps: 5 });
  await page.mouse.up();
  expect(await scrolled()).toBeGreaterThan(before);
});
