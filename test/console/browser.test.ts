// The console in a real browser (Debian's Chromium through playwright-core) against a real hub on a socket:
// sign in, the overview, a dossier posted over the API appearing on it, sign out. Screenshots go to
// test-artifacts/console/; every request the page makes must go to the hub's own origin.
import t from 'tap';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { listeningHub, dossier, ADMIN_TOKEN } from '../helpers/hub.js';

const SHOTS = new URL('../../test-artifacts/console/', import.meta.url).pathname;
const WAIT = { timeout: 60_000 };

t.test('sign in, overview, a dossier on it, sign out', async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const { hub, base, keys } = await listeningHub({ canon: { id: 'canon', agencies: ['000.00.15.H12'] } });
  t.teardown(() => hub.close());
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const origins = new Set<string>();
  page.on('request', (r) => { origins.add(new URL(r.url()).origin); });

  await page.goto(`${base}/console/`);
  await page.getByLabel('Mã quản trị (admin token)').fill(ADMIN_TOKEN, WAIT);
  await page.screenshot({ path: `${SHOTS}sign-in.png` });
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  const row = page.locator('tr[data-system="canon"]');
  await row.waitFor(WAIT);
  t.equal(await row.locator('td.today').textContent(), '0', 'no dossier today yet');

  t.equal((await hub.post('canon', keys.canon!, dossier())).statusCode, 202, 'a dossier posted over the API');
  // The overview refreshes by itself; the traffic counters are flushed within a second.
  await page.locator('tr[data-system="canon"] td.today', { hasText: '1' }).waitFor(WAIT);
  await page.screenshot({ path: `${SHOTS}overview.png`, fullPage: true });
  t.pass('the overview shows the dossier without a reload');

  const audit = await hub.app.inject({ method: 'GET', url: '/v1/admin/audit?action=overview.read', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  t.ok((audit.json().items as { actor: string }[]).every((e) => e.actor === 'admin') && audit.json().items.length > 0, 'the page\'s reads are audited under the token\'s actor');

  // Systems: a refused registration shows its HUB_ code and field; a good one shows its key once.
  await page.getByRole('link', { name: 'Hệ thống' }).click();
  await page.locator('tr[data-system="canon"]').waitFor(WAIT);
  await page.getByLabel('ID').fill('Sai ID');
  await page.getByLabel('Tên').fill('Hệ thống mới');
  await page.getByRole('button', { name: 'Đăng ký hệ thống' }).click();
  await page.getByRole('alert').filter({ hasText: 'HUB_' }).waitFor(WAIT);
  t.match(await page.getByRole('alert').textContent(), /HUB_VALIDATION.*\/id/, 'the refusal shows its code and the field at fault');
  await page.getByLabel('ID').fill('con-new');
  await page.getByRole('button', { name: 'Đăng ký hệ thống' }).click();
  const key = await page.getByTestId('api-key').textContent(WAIT);
  t.match(key, /^con-new\./, 'the new key is shown once');
  t.equal(hub.ctx.registry.get('con-new')?.name, 'Hệ thống mới', 'registered through the console, the name in NFC');
  await page.screenshot({ path: `${SHOTS}systems.png`, fullPage: true });

  await page.getByRole('link', { name: 'Thư lỗi' }).click();
  await page.getByRole('heading', { name: 'Thư lỗi' }).waitFor(WAIT);
  await page.screenshot({ path: `${SHOTS}dead-letters.png`, fullPage: true });

  await page.getByRole('link', { name: 'Thống kê' }).click();
  await page.getByTestId('chart').locator('text', { hasText: '000.00.15.H12' }).waitFor(WAIT);
  t.equal(await page.getByTestId('total').textContent(), '1', 'the chart counts the dossier posted');
  await page.screenshot({ path: `${SHOTS}statistics.png`, fullPage: true });

  await page.getByRole('link', { name: 'Nhật ký' }).click();
  t.match(await page.getByTestId('verify').textContent(WAIT), /^Chuỗi băm hợp lệ/, 'the audit page shows the chain verified');
  await page.locator('td', { hasText: 'system.register' }).first().waitFor(WAIT);
  await page.screenshot({ path: `${SHOTS}audit.png`, fullPage: true });

  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.getByLabel('Mã quản trị (admin token)').waitFor(WAIT);
  await page.screenshot({ path: `${SHOTS}signed-out.png` });
  const after = await page.evaluate(async () => (await fetch('/v1/admin/overview')).status);
  t.equal(after, 401, 'after sign-out the cookie opens nothing');

  t.same([...origins], [base], 'every request of the page went to the hub itself');
});
