import { expect, Page, APIRequestContext } from '@playwright/test';
import http from 'node:http';
import { AddressInfo } from 'node:net';

// The admin scripts/test creates on the server it starts (HOOKFLOW_ADMIN_*).
export const admin = {
  email: process.env.HOOKFLOW_E2E_EMAIL ?? 'admin@hookflow.test',
  password: process.env.HOOKFLOW_E2E_PASSWORD ?? 'browser tests log in here',
};

// Logs in through the login page (a plain form: it works before hydration) and
// waits until the page asked for is shown.
export async function logIn(page: Page, next = '/') {
  await page.goto(next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('user-email')).toHaveText(admin.email);
}

// Hydration is done when the wasm has taken over the server-rendered page; until
// then buttons do nothing. Leptos marks nothing, so we wait for the module to load
// and then act through behaviour that only the wasm provides.
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() =>
    performance.getEntriesByType('resource').some((e) => e.name.endsWith('/pkg/hookflow.wasm')),
  );
}

// axe-core checks each page as the browser shows it, after hydration.
export async function axe(page: Page) {
  await page.addScriptTag({ path: require.resolve('axe-core') });
  const result = await page.evaluate(async () => {
    // @ts-expect-error axe is the global the script added
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n: any) => n.target.join(' ')).slice(0, 5),
    }));
  });
  return result;
}


// The REST API, with the token scripts/test made for the browser tests' admin.
export async function api(request: APIRequestContext, method: string, path: string, data?: unknown) {
  const token = process.env.HOOKFLOW_E2E_TOKEN;
  expect(token, 'scripts/test exports HOOKFLOW_E2E_TOKEN').toBeTruthy();
  const res = await request.fetch(`/api/v1${path}`, {
    method,
    data,
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300);
  return res.status() === 204 ? null : res.json();
}

// A full-page screenshot in test-results/screenshots, to be looked at.
export function shot(page: Page, name: string) {
  return page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

// What a loopback destination answers.
export type Answer = { status: number; type?: string; body?: string };

// A real destination on loopback (scripts/test starts the server under test
// with HOOKFLOW_ALLOW_NETWORKS=127.0.0.0/8). `answer` sees each request's path
// and body and decides the reply. Start it in beforeAll, close it in afterAll.
export function loopbackReceiver(answer: (path: string, body: string) => Answer) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const a = answer(req.url ?? '', body);
      res.writeHead(a.status, a.type ? { 'content-type': a.type } : {});
      res.end(a.body ?? '');
    });
  });
  return {
    // Listens on a free port; resolves to the base URL, http://127.0.0.1:PORT.
    async start(): Promise<string> {
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise((done) => server.close(done)),
  };
}
