import { test, expect } from '@playwright/test';
import { api, axe, logIn, loopbackReceiver, shot, waitForHydration } from './support';

// A destination on loopback that refuses with 500 until told to accept.
let accepting = false;
const accepted = new Set<string>();
const receiver = loopbackReceiver((_, body) => {
  if (!accepting) return { status: 500, type: 'text/plain', body: 'the CRM is down for maintenance' };
  accepted.add(JSON.parse(body).id);
  return { status: 200, type: 'application/json', body: '{"ok":true}' };
});
let base = '';
test.beforeAll(async () => {
  base = await receiver.start();
});
test.afterAll(() => receiver.close());

test('a webhook step’s statistics, chart and delivery log follow resend and cancel', async ({ page, request }) => {
  test.setTimeout(120_000);
  // A hydration error leaves the page static: the numbers would stop following.
  const hydration: string[] = [];
  page.on('console', (m) => {
    if (/hydrat/i.test(m.text())) hydration.push(m.text());
  });
  // An active group scenario sending to the refusing destination; two contacts join.
  const stamp = Date.now().toString(36);
  const group = await api(request, 'POST', '/groups', { name: `Statistics ${stamp}` });
  const scenario = await api(request, 'POST', '/scenarios', {
    name: `To the CRM ${stamp}`,
    trigger: { type: 'added_to_group', group_id: group.id },
    graph: {
      start: 'hook',
      steps: [
        {
          id: 'hook', type: 'send_webhook', next: null,
          config: {
            url: `${base}/in`, fields: ['email', 'firstname'], additional: [],
            headers: [{ name: 'X-Api-Key', value: 'never-shown-123', secret: true }],
          },
        },
      ],
    },
  });
  await api(request, 'POST', `/scenarios/${scenario.id}/activate`);
  const emails = [`ada.${stamp}@example.org`, `grace.${stamp}@example.org`];
  for (const email of emails) {
    const contact = await api(request, 'POST', '/contacts', { email, firstname: 'Ada' });
    await api(request, 'PUT', `/groups/${group.id}/members/${contact.id}`);
  }

  await logIn(page, `/scenarios/${scenario.id}/steps/hook`);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`${base}/in`);
  // Both reached it; the destination refused, so both are pending, and the page follows.
  await expect(page.getByTestId('stat-reached')).toHaveText('2', { timeout: 30_000 });
  await expect(page.getByTestId('stat-pending')).toHaveText('2');
  const log = page.getByTestId('delivery-log');
  await expect(log.locator('tbody tr')).toHaveCount(2);
  await expect(log).toContainText('HTTP 500', { timeout: 30_000 });
  await expect(page.getByTestId('delivery-chart')).toBeVisible();

  // The first contact's delivery: the request as sent, secret masked, and its attempts.
  await page.getByRole('button', { name: `Details of the delivery to ${emails[0]}` }).click();
  const detail = page.getByTestId('delivery-detail');
  await expect(detail.getByTestId('request-body')).toContainText(emails[0]);
  await expect(detail).toContainText('X-Api-Key');
  expect(await page.content()).not.toContain('never-shown-123');
  await expect(detail.getByTestId('attempts')).toContainText('HTTP 500');
  await expect(detail.getByTestId('attempts')).toContainText('the CRM is down for maintenance');
  await expect(detail).toContainText('Next attempt');
  await shot(page, 'step-statistics-pending');

  // Cancel needs a reason; with one, it fails and the numbers move.
  await detail.getByRole('button', { name: 'Cancel this delivery' }).click();
  await expect(page.getByTestId('stat-failed')).toHaveText('0');
  await detail.getByLabel('Why no further attempt should be made').fill('Imported into the CRM by hand');
  await detail.getByRole('button', { name: 'Cancel this delivery' }).click();
  await expect(page.getByTestId('action-notice')).toContainText('Cancelled');
  await expect(page.getByTestId('stat-failed')).toHaveText('1');
  await expect(page.getByTestId('stat-pending')).toHaveText('1');
  await expect(page.getByTestId('stat-reached')).toHaveText('2');
  await expect(page.getByTestId('delivery-detail')).toContainText(`Cancelled by ${process.env.HOOKFLOW_E2E_EMAIL ?? 'admin@hookflow.test'}`);
  await expect(page.getByTestId('delivery-detail')).toContainText('Imported into the CRM by hand');

  // Filter by state and search by email.
  await page.getByTestId('log-state').selectOption('failed');
  await expect(log.locator('tbody tr')).toHaveCount(1);
  await expect(log).toContainText(emails[0]);
  await page.getByTestId('log-state').selectOption('');
  await page.getByLabel('Contact email').fill(emails[1]);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(log.locator('tbody tr')).toHaveCount(1);
  await expect(log).toContainText(emails[1]);
  await page.getByLabel('Contact email').fill('not an email');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not an email address' })).toBeVisible();
  await page.getByRole('button', { name: 'Show all' }).click();
  await expect(log.locator('tbody tr')).toHaveCount(2);

  // The admin overview lists the destination as failing right now.
  await page.goto('/webhooks');
  await waitForHydration(page);
  await expect(page.getByTestId('failing')).toContainText(`${base}/in`);
  await expect(page.getByTestId('webhook-steps')).toContainText(`To the CRM ${stamp}`);
  await expect(page.getByTestId('webhook-steps')).toContainText('0.0 %');
  expect(await axe(page), '/webhooks').toEqual([]);
  await shot(page, 'webhooks-overview');

  // The destination is back: resend every failed one; both end accepted, same ids.
  accepting = true;
  await page.goto(`/scenarios/${scenario.id}/steps/hook`);
  await waitForHydration(page);
  await page.getByTestId('resend-all').click();
  await page.getByRole('button', { name: 'Resend them' }).click();
  await expect(page.getByTestId('action-notice')).toContainText('1 failed delivery is pending again');
  await expect(page.getByTestId('stat-failed')).toHaveText('0');
  // The resent one is accepted (the other, still pending, may be too by its own retry).
  await expect(log.locator('tr', { hasText: emails[0] })).toContainText('accepted (HTTP 200)', { timeout: 30_000 });
  await expect(page.getByTestId('stat-accepted')).not.toHaveText('0');
  expect(accepted.size).toBeGreaterThanOrEqual(1);
  const stats = await api(request, 'GET', `/scenarios/${scenario.id}/steps/hook/stats`);
  expect(stats.failed).toBe(0);
  expect(stats.reached).toBe(stats.accepted + stats.pending + stats.failed);
  expect(await axe(page), 'step statistics').toEqual([]);
  await shot(page, 'step-statistics');

  // The scenario-wide view: every step with its pass count.
  await page.goto(`/scenarios/${scenario.id}/statistics`);
  await waitForHydration(page);
  const steps = page.getByTestId('scenario-steps');
  await expect(steps.locator('tr[data-step-id="hook"] [data-testid="step-passes"]')).toHaveText('2');
  expect(await axe(page), 'scenario statistics').toEqual([]);
  await shot(page, 'scenario-statistics');
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(`/scenarios/${scenario.id}/steps/hook`);
  await expect(page.getByTestId('stat-reached')).toHaveText('2');
  // Wide tables scroll inside their box: the page itself never scrolls sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // The chart's labels stay legible on a phone (text inside a scaled-down drawing would not).
  for (const label of [page.getByTestId('chart-from'), page.getByTestId('chart-max')]) {
    const box = await label.boundingBox();
    expect(box!.height, 'a chart label is at least 12 px high at 390 px wide').toBeGreaterThanOrEqual(12);
  }
  const plot = await page.getByTestId('delivery-chart').locator('svg').boundingBox();
  expect(plot!.height, 'the plot keeps a readable height on a phone').toBeGreaterThanOrEqual(120);
  await shot(page, 'step-statistics-narrow');
  expect(hydration, 'no hydration error on these pages').toEqual([]);
});
