import { test, expect } from '@playwright/test';
import { api, logIn, loopbackReceiver, waitForHydration } from './support';

// A destination on loopback that accepts and keeps what it got.
const bodies: any[] = [];
const receiver = loopbackReceiver((_, body) => {
  bodies.push(JSON.parse(body));
  return { status: 204 };
});
let base = '';
test.beforeAll(async () => {
  base = await receiver.start();
});
test.afterAll(() => receiver.close());

// A draft scenario with one webhook step, made through the REST API.
async function draft(request: any, name: string) {
  const group = await api(request, 'POST', '/groups', { name: `Group of ${name}` });
  return api(request, 'POST', '/scenarios', {
    name,
    trigger: { type: 'added_to_group', group_id: group.id },
    graph: {
      start: 'hook',
      steps: [{ id: 'hook', type: 'send_webhook', next: null,
        config: { url: `${base}/in`, fields: ['email', 'firstname'], additional: [], headers: [] } }],
    },
  });
}

test('the scenario list filters by status, renames, duplicates and archives', async ({ page, request }) => {
  const stamp = Date.now().toString(36);
  const name = `Listed ${stamp}`;
  await draft(request, name);
  await logIn(page, '/scenarios');
  await waitForHydration(page);
  const row = (text: string) => page.getByTestId('scenario-row').filter({ hasText: text });

  // Rename.
  await expect(async () => {
    await row(name).getByRole('button', { name: `Rename ${name}` }).click();
    await expect(page.getByLabel('New name')).toBeVisible({ timeout: 1000 });
  }).toPass();
  await page.getByLabel('New name').fill(`Renamed ${stamp}`);
  await page.getByRole('button', { name: 'Rename', exact: true }).click();
  await expect(row(`Renamed ${stamp}`)).toHaveCount(1);

  // Duplicate: a draft copy.
  await row(`Renamed ${stamp}`).getByRole('button', { name: `Duplicate Renamed ${stamp}` }).click();
  await expect(row(`Copy of Renamed ${stamp}`)).toHaveCount(1);
  await expect(row(`Copy of Renamed ${stamp}`)).toContainText('Draft');

  // Archive, after a confirmation; the Archived filter shows it, Draft no longer does.
  await row(`Copy of Renamed ${stamp}`).getByRole('button', { name: /^Archive Copy of/ }).click();
  await page.getByRole('alertdialog', { name: 'Confirm archiving' }).getByRole('button', { name: 'Archive' }).click();
  await page.getByRole('group', { name: 'Show scenarios' }).getByRole('button', { name: 'Archived' }).click();
  await expect(row(`Copy of Renamed ${stamp}`)).toContainText('Archived');
  await page.getByRole('group', { name: 'Show scenarios' }).getByRole('button', { name: 'Draft' }).click();
  await expect(row(`Renamed ${stamp}`)).toHaveCount(1);
  await expect(row(`Copy of Renamed ${stamp}`)).toHaveCount(0);
});

test('a second editor’s save is refused, not written over; Test can use a contact picked by email', async ({ browser, request }) => {
  const stamp = Date.now().toString(36);
  const scenario = await draft(request, `Shared ${stamp}`);
  const email = `grace.${stamp}@example.org`;
  await api(request, 'POST', '/contacts', { email, firstname: 'Grace' });

  // Two people open the same scenario.
  const first = await browser.newPage();
  const second = await browser.newPage();
  for (const p of [first, second]) {
    await logIn(p, `/scenarios/${scenario.id}`);
    await waitForHydration(p);
    await expect(p.locator('.step-node')).toHaveCount(1);
  }

  // The second adds a wait and it is saved.
  await expect(async () => {
    await second.getByRole('button', { name: 'Add a step here' }).first().click();
    await expect(second.getByRole('menuitem', { name: 'Wait' })).toBeVisible({ timeout: 1000 });
  }).toPass();
  await second.getByRole('menuitem', { name: 'Wait' }).click();
  await second.getByRole('dialog').getByRole('button', { name: 'Save step' }).click();
  await expect(second.getByTestId('save-state')).toHaveText('All changes saved');

  // The first, still on the older version, adds an exit: refused with a clear message.
  await expect(async () => {
    await first.getByRole('button', { name: 'Add a step here' }).last().click();
    await expect(first.getByRole('menuitem', { name: 'Exit' })).toBeVisible({ timeout: 1000 });
  }).toPass();
  await first.getByRole('menuitem', { name: 'Exit' }).click();
  await expect(first.getByTestId('save-state')).toContainText('Someone else saved this scenario');
  const saved = await api(request, 'GET', `/scenarios/${scenario.id}`);
  const kinds = saved.definition.graph.steps.map((s: any) => s.type).sort();
  expect(kinds, 'the second person’s save stands').toEqual(['send_webhook', 'wait']);

  // Test with a contact picked by email: the destination gets that contact's data.
  await second.locator('.step-node', { hasText: 'Send a Webhook' }).locator('.node-open').click();
  const panel = second.getByRole('dialog', { name: 'Send a Webhook' });
  await panel.getByLabel("Contact's email for the test").fill(email);
  await panel.getByRole('button', { name: 'Test' }).click();
  await expect(panel.getByTestId('test-result')).toContainText('Accepted');
  const sent = bodies[bodies.length - 1];
  expect(sent.id).toMatch(/^test_evt_/);
  expect(sent.data.email).toBe(email);
  expect(sent.data.firstname).toBe('Grace');
  // An email no contact has is said so, and nothing is sent.
  const before = bodies.length;
  await panel.getByLabel("Contact's email for the test").fill(`nobody.${stamp}@example.org`);
  await panel.getByRole('button', { name: 'Test' }).click();
  await expect(panel.getByTestId('test-result')).toContainText('There is no contact with this email');
  expect(bodies.length).toBe(before);
  await first.close();
  await second.close();
});
