// The console's "Done when" scenario (issue 15) in a real browser (Debian's Chromium through playwright-core)
// against a real hub on a socket with the relay on the local RabbitMQ: sign in; register a JSON mapping system
// through the mapping editor, whose dry-run first shows an error at its native path (clicking it selects the
// spot in the payload) and then passes; approve a sample; save a second version, diff and roll back; post a
// dossier for that system over the API with the key the console showed and see it on the overview and on the
// dossier page; link it on the rollout page and read its conformance report; edit a system and rotate its
// key; make a real dead letter (a push target answering 400) and replay it; see the statistics chart; sign
// out. Screenshots of every page go to test-artifacts/console/; every request the page makes must go to the
// hub's own origin.
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { listeningHub, dossier, ADMIN_TOKEN } from '../helpers/hub.js';
import { brokerUp, deleteTopology } from '../relay/helpers.js';
import { rsaCsr, rsaKey } from '../trust/helpers.js';

const SHOTS = new URL('../../test-artifacts/console/', import.meta.url).pathname;
const SHIPPED_ROLLOUT = new URL('../../config/rollout.json', import.meta.url).pathname;
const WAIT = { timeout: 90_000 };
const SYSTEM = 'stp-json';
const AGENCY = '000.00.21.H12';
const PUSH_AGENCY = '000.00.22.H12';

const MAPPING = {
  language: 'lgsp-mapping/1',
  name: 'Sở Tư pháp — phần mềm thử nghiệm (JSON)',
  source: { format: 'json', item: 'hoSo' },
  tables: {
    trangThai: { match: 'upper', entries: [['MOI', 1], ['DA_NHAN', 2], ['TU_CHOI', 3], ['DANG_XU_LY', 4], ['CHO_BO_SUNG', 5], ['CHO_PHI', 6], ['RUT', 7], ['TAM_DUNG', 8], ['CO_KQ', 9], ['DA_TRA', 10]] },
    kenh: { match: 'upper', entries: [['TRUC_TIEP', 'in_person'], ['TRUC_TUYEN', 'online']] },
  },
  ref: { localCode: { from: 'soHoSo', required: true } },
  fields: {
    'procedure.code': { from: 'thuTuc', required: true },
    'agency.code': { from: 'coQuan', required: true },
    'agency.level': { value: 'province' },
    'applicant.type': { value: 'citizen' },
    'applicant.name': { from: 'nguoiNop/hoTen', required: true },
    channel: { from: 'kenh', table: 'kenh', default: 'in_person' },
    receivedAt: { from: 'ngayNhan', date: ['dd/MM/yyyy HH:mm'], required: true },
    status: { from: 'trangThai', table: 'trangThai', required: true },
  },
};
const payload = (name: string) => JSON.stringify({
  hoSo: { soHoSo: 'STP-0001', thuTuc: '2.000889', coQuan: AGENCY, nguoiNop: { hoTen: name }, kenh: 'TRUC_TUYEN', ngayNhan: '27/11/2026 08:15', trangThai: 'DA_NHAN' },
}, null, 2);

/** A push target: answers 400 until told otherwise; counts what it got. */
async function target(): Promise<{ url: string; hits: number; status: number; close(): Promise<void> }> {
  const state = { url: '', hits: 0, status: 400, close: async () => {} };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => { state.hits++; res.writeHead(state.status, { 'content-type': 'text/plain' }).end(state.status === 200 ? 'ok' : 'không nhận'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/nhan`;
  state.close = () => new Promise((r) => server.close(() => r()));
  return state;
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

t.test('the console scenario of issue 15', async (t) => {
  t.setTimeout(900_000);
  mkdirSync(SHOTS, { recursive: true });
  const configDir = mkdtempSync(path.join(tmpdir(), 'hub-console-config-'));
  copyFileSync(SHIPPED_ROLLOUT, path.join(configDir, 'rollout.json'));
  const push = await target();
  t.teardown(() => push.close());
  const { hub, base, keys } = await listeningHub({ cong: { id: 'cong-dvc', role: 'platform' } }, { relay: true, configDir });
  const prefix = hub.ctx.config.amqpPrefix;
  const delays = hub.ctx.config.retryDelaysMs;
  t.teardown(async () => {
    await hub.close();
    await deleteTopology(prefix, ['cong-dvc', SYSTEM, 'day-loi'], delays);
    rmSync(configDir, { recursive: true, force: true });
  });
  await brokerUp(hub, 60_000);

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(90_000);
  const origins = new Set<string>();
  page.on('request', (r) => { origins.add(new URL(r.url()).origin); });

  // Sign in.
  await page.goto(`${base}/console/`);
  await page.getByLabel('Mã quản trị (admin token)').fill(ADMIN_TOKEN);
  await shot(page, 'sign-in');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('heading', { name: 'Tổng quan' }).waitFor(WAIT);

  // The mapping editor, new system: a typo is caught as you type, with its pointer.
  await page.getByRole('link', { name: 'Ánh xạ' }).click();
  await page.getByRole('heading', { name: /Trình soạn ánh xạ/ }).waitFor(WAIT);
  const typo = JSON.parse(JSON.stringify(MAPPING)) as { fields: Record<string, Record<string, unknown>> };
  typo.fields['applicant.name'] = { fromm: 'nguoiNop/hoTen', required: true };
  await page.getByLabel('Tài liệu ánh xạ (JSON)').fill(JSON.stringify(typo, null, 2));
  const check = page.getByTestId('schema-check');
  await check.getByText('/fields/applicant.name/fromm').waitFor(WAIT);
  t.match(await check.textContent(), /Lỗi theo lược đồ.*\/fields\/applicant\.name\/fromm.*"fromm" is not a key of a rule/, 'the schema error with its pointer, before any request');
  t.ok(await page.getByRole('button', { name: 'Đăng ký hệ thống' }).isDisabled(), 'an invalid mapping cannot be registered');

  // The valid document and a payload missing the applicant's name: the dry-run names the native path.
  await page.getByLabel('Tài liệu ánh xạ (JSON)').fill(JSON.stringify(MAPPING, null, 2));
  await check.getByText('Hợp lệ theo lược đồ').waitFor(WAIT);
  await page.getByLabel('Dữ liệu mẫu').fill(payload(''));
  await page.getByRole('button', { name: 'Chạy thử' }).click();
  const errRow = page.locator('[data-testid="dry-run"] li[data-native="/hoSo/nguoiNop/hoTen"]');
  await errRow.waitFor(WAIT);
  t.match(await errRow.textContent(), /HUB_VALIDATION.*required value is missing.*Trường chuẩn\/applicant\/name.*Đường dẫn gốc\/hoSo\/nguoiNop\/hoTen.*Quy tắc\/fields\/applicant\.name/, 'the error: code, canonical field, native path, rule');
  t.equal(await page.locator('[data-testid="dry-run"] [data-item="0"]').getAttribute('data-ok'), 'false');
  await errRow.getByRole('button', { name: '/hoSo/nguoiNop/hoTen' }).click();
  const selected = await page.getByLabel('Dữ liệu mẫu').evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd));
  t.equal(selected, '"hoTen": ""', 'clicking the error selects its spot in the payload');
  await shot(page, 'mapping-editor-error');

  // Fixed: the dry-run passes, with the change, no unread field and the re-encoded preview.
  await page.getByLabel('Dữ liệu mẫu').fill(payload('Nguyễn Văn A'));
  await page.getByRole('button', { name: 'Chạy thử' }).click();
  await page.locator('[data-testid="dry-run"] [data-item="0"][data-ok="true"]').waitFor(WAIT);
  t.match(await page.getByTestId('change').textContent(), /"name": "Nguyễn Văn A"[\s\S]*"status": 2/, 'the canonical change');
  t.match(await page.getByTestId('unread').textContent(), /Trường gốc chưa đọc: không có/, 'every native field read');
  t.match(await page.getByTestId('encoded').textContent(), /"hoTen": "Nguyễn Văn A"/, 'the re-encoded preview');

  // Register it from the editor; its key is shown once on the system's editor page.
  await page.locator('#m-id').fill(SYSTEM);
  await page.locator('#m-name').fill('Sở Tư pháp — thử nghiệm');
  await page.locator('#m-agencies').fill(AGENCY);
  await page.getByRole('button', { name: 'Đăng ký hệ thống' }).click();
  await page.getByRole('heading', { name: `Trình soạn ánh xạ: ${SYSTEM}` }).waitFor(WAIT);
  const key = (await page.getByTestId('api-key').textContent())!;
  t.match(key, new RegExp(`^${SYSTEM}\\.`), 'the new system\'s key, shown once');
  t.equal(hub.ctx.registry.get(SYSTEM)?.adapter, 'mapping');
  t.equal(hub.ctx.registry.get(SYSTEM)?.name, 'Sở Tư pháp — thử nghiệm'.normalize('NFC'));

  // Approve the payload as a sample.
  await page.getByLabel('Tên mẫu').fill('Hồ sơ lý lịch tư pháp');
  await page.getByRole('button', { name: 'Duyệt mẫu' }).click();
  await page.locator('tr[data-sample]', { hasText: 'Hồ sơ lý lịch tư pháp' }).waitFor(WAIT);
  const samples = await hub.ctx.store.mappings.listSamples(SYSTEM);
  t.equal(samples.length, 1, 'the sample is stored');
  t.match(samples[0]!.expected, { items: [{ ok: true, ref: { localCode: 'STP-0001' } }] }, 'with its approved result');

  // A second version (a description: the approved sample still reproduces), the diff, a roll back to version 1.
  const v2 = { ...MAPPING, description: 'Phiên bản 2: thêm mô tả' };
  await page.getByLabel('Tài liệu ánh xạ (JSON)').fill(JSON.stringify(v2, null, 2));
  await check.getByText('Hợp lệ theo lược đồ').waitFor(WAIT);
  await page.getByLabel('Ghi chú').fill('thêm trích yếu');
  await page.getByRole('button', { name: 'Lưu thành phiên bản mới' }).click();
  await page.locator('tr[data-version="2"]', { hasText: 'đang dùng' }).waitFor(WAIT);
  t.equal((await hub.ctx.store.mappings.listVersions(SYSTEM)).active, 2, 'version 2 is active (the sample still reproduces)');
  await page.locator('#m-diff-a').selectOption('1');
  await page.locator('#m-diff-b').selectOption('2');
  await page.getByRole('button', { name: 'So sánh' }).click();
  t.match(await page.getByTestId('diff').textContent(), /\+\s+"description": "Phiên bản 2: thêm mô tả"/, 'the diff shows the added member');
  await shot(page, 'mapping-editor');
  // A version whose result differs from the approved sample: stored, not activated, each failed check shown.
  const v3 = { ...MAPPING, fields: { ...MAPPING.fields, summary: { value: 'Cấp phiếu lý lịch tư pháp' } } };
  await page.getByLabel('Tài liệu ánh xạ (JSON)').fill(JSON.stringify(v3, null, 2));
  await check.getByText('Hợp lệ theo lược đồ').waitFor(WAIT);
  await page.getByRole('button', { name: 'Lưu thành phiên bản mới' }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'HUB_MAPPING_CONFORMANCE' });
  await refusal.waitFor(WAIT);
  t.match(await refusal.textContent(), /HUB_MAPPING_CONFORMANCE.*samples.*Hồ sơ lý lịch tư pháp/, 'the refusal with its code and the failed check of the sample');
  await page.locator('tr[data-version="3"]').waitFor(WAIT);
  t.equal((await hub.ctx.store.mappings.listVersions(SYSTEM)).active, 2, 'version 3 stored, version 2 still active');
  await shot(page, 'mapping-editor-refused');
  await page.locator('tr[data-version="1"]').getByRole('button', { name: 'Quay lại phiên bản này' }).click();
  await page.locator('tr[data-version="1"]', { hasText: 'đang dùng' }).waitFor(WAIT);
  t.equal((await hub.ctx.store.mappings.listVersions(SYSTEM)).active, 1, 'rolled back to version 1');

  // A dossier for that system over the API, with the key the console showed.
  const res = await hub.app.inject({ method: 'POST', url: `/v1/inbound/${SYSTEM}`, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: payload('Nguyễn Văn A') });
  t.equal(res.statusCode, 202, res.body);
  const code = res.json().dossierCode as string;
  await page.getByRole('link', { name: 'Tổng quan' }).click();
  await page.locator(`tr[data-system="${SYSTEM}"] td.today`, { hasText: '1' }).waitFor(WAIT);
  await shot(page, 'overview');
  t.pass('the overview counts the dossier');

  // The dossier page: by the local number, the canonical document, the timeline, the DVCQG view.
  await page.getByRole('link', { name: 'Hồ sơ', exact: true }).click();
  await page.getByLabel('Mã hồ sơ hoặc số hồ sơ của đơn vị').fill('STP-0001');
  await page.getByRole('button', { name: 'Tra cứu' }).click();
  await page.getByTestId('dossier-code').getByText(code).waitFor(WAIT);
  t.match(await page.getByTestId('timeline').textContent(), new RegExp(`Lần sửa 1.*dossier\\.received.*${SYSTEM}.*mapping 1`), 'revision 1 decoded by mapping version 1');
  t.match(await page.getByTestId('canonical').textContent(), /"name": "Nguyễn Văn A"/);
  t.match(await page.getByTestId('dvcqg').textContent(), new RegExp(`"MaHoSo": "${code.replace(/\./g, '\\.')}"`), 'the DVCQG item');
  await shot(page, 'dossier');

  // The rollout: link Sở Tư pháp's entry to the system; its state moves on and its conformance report shows.
  await page.getByRole('link', { name: 'Lộ trình kết nối' }).click();
  const entry = page.locator('tr[data-entry="so-tu-phap"]');
  await entry.waitFor(WAIT);
  t.match(await entry.textContent(), /^2Sở Tư pháp.*Kế hoạch \(planned\).*31\/07\/2015/, 'order, department, state, target date the Vietnamese way');
  t.equal(await page.locator('tr[data-entry]').count(), 19, 'the 19 departments');
  await entry.getByRole('button', { name: 'Sửa Sở Tư pháp' }).click();
  await page.getByLabel('Mã hệ thống').fill(SYSTEM);
  await page.getByLabel(/^Hạn kết nối/).fill('15/12/2026');
  await page.getByRole('button', { name: 'Cập nhật mục' }).click();
  await entry.getByText('mapping-draft').waitFor(WAIT);
  t.match(await entry.textContent(), /Đang soạn ánh xạ.*15\/12\/2026/, 'the entry moved on, with its new target date');
  const stored = (await hub.app.inject({ method: 'GET', url: '/v1/admin/rollout', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json().items.find((e: { id: string }) => e.id === 'so-tu-phap');
  t.match(stored, { systemId: SYSTEM, targetDate: '2026-12-15', state: 'mapping-draft' });
  await page.getByTestId('conformance').locator('tr[data-check="auth"]').waitFor(WAIT);
  t.match(await page.getByTestId('conformance').locator('tr[data-check="auth"]').textContent(), /auth.*Đạt/, 'the conformance report of its system');
  await shot(page, 'rollout');

  // Systems: register a push system through the form; its target refuses with 400.
  await page.getByRole('link', { name: 'Hệ thống', exact: true }).click();
  await page.locator(`tr[data-system="${SYSTEM}"]`).waitFor(WAIT);
  await page.getByLabel('ID', { exact: true }).fill('day-loi');
  await page.getByLabel('Tên', { exact: true }).fill('Hệ thống nhận đẩy');
  await page.getByLabel('Mã đơn vị (cách nhau bởi dấu phẩy)').fill(PUSH_AGENCY);
  await page.getByLabel('Phương thức gửi').selectOption('push');
  await page.getByLabel('Địa chỉ nhận (URL)').fill(push.url);
  await page.getByRole('button', { name: 'Đăng ký hệ thống' }).click();
  await page.getByTestId('api-key').getByText(/^day-loi\./).waitFor(WAIT);
  await shot(page, 'systems');

  // System edit: rename (merge patch), rotate the key (shown once).
  await page.locator('tr[data-system="day-loi"]').getByRole('link', { name: 'Sửa' }).click();
  await page.getByRole('heading', { name: 'Sửa hệ thống: day-loi' }).waitFor(WAIT);
  await page.getByLabel('Tên', { exact: true }).fill('Hệ thống nhận đẩy (đã sửa)');
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  await page.getByRole('status').getByText('Đã lưu').waitFor(WAIT);
  t.equal(hub.ctx.registry.get('day-loi')?.name, 'Hệ thống nhận đẩy (đã sửa)', 'edited through the console');
  await page.getByRole('button', { name: 'Đổi khóa' }).click();
  const rotated = await page.getByTestId('api-key').textContent(WAIT);
  t.match(rotated, /^day-loi\./, 'the rotated key, shown once');
  // Certificates: a bad CSR is refused with its code; a good one is issued, listed, and revoked.
  await page.getByLabel('Yêu cầu cấp chứng thư (CSR, PEM)').fill('không phải CSR');
  await page.getByRole('button', { name: 'Cấp chứng thư' }).click();
  await page.getByRole('alert').filter({ hasText: 'HUB_CSR_INVALID' }).waitFor(WAIT);
  await page.getByLabel('Yêu cầu cấp chứng thư (CSR, PEM)').fill(rsaCsr(rsaKey(), { cn: 'day-loi' }));
  await page.getByRole('button', { name: 'Cấp chứng thư' }).click();
  t.match(await page.getByTestId('certificate').textContent(WAIT), /^-----BEGIN CERTIFICATE-----/, 'the certificate issued from the CSR');
  const cert = page.locator('tr[data-serial]');
  await cert.waitFor(WAIT);
  await cert.getByRole('button', { name: 'Thu hồi' }).click();
  await cert.getByRole('button', { name: 'Thu hồi' }).waitFor({ state: 'detached', ...WAIT });
  t.match(await cert.textContent(), /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/, 'revoked, with its time');
  t.ok((await hub.ctx.store.certificates.list('day-loi'))[0]?.revokedAt, 'revoked in the store');
  await shot(page, 'system-edit');

  // A real dead letter: the platform posts a dossier for the push system's agency; its target answers 400.
  const pushed = await hub.post('cong-dvc', keys.cong!, dossier({ code: `${PUSH_AGENCY}-261127-0001`, agency: { code: PUSH_AGENCY, level: 'province' } }));
  t.equal(pushed.statusCode, 202, pushed.body);
  await page.getByRole('link', { name: 'Thư lỗi' }).click();
  const dead = page.locator('tr[data-dead]', { hasText: 'day-loi' });
  await page.getByRole('heading', { name: 'Thư lỗi' }).waitFor(WAIT);
  // The relay gives up on the 400 in its own time: refresh the list until the dead letter is there.
  for (const until = Date.now() + 120_000; (await dead.count()) === 0;) {
    if (Date.now() > until) throw new Error('no dead letter appeared');
    const answered = page.waitForResponse((r) => r.url().includes('/v1/admin/dead-letters'), WAIT);
    await page.getByRole('button', { name: 'Làm mới' }).click();
    await answered;
    await page.waitForTimeout(500); // between two list reads (the relay's work is what we wait for, not the page's)
  }
  t.match(await dead.textContent(), /day-loi.*HTTP 400.*HTTP 400/, 'its reason and last response');
  await shot(page, 'dead-letters');
  push.status = 200;
  await dead.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Gửi lại' }).click();
  await dead.waitFor({ state: 'detached', ...WAIT });
  for (const until = Date.now() + 90_000; push.hits < 2 && Date.now() < until;) await new Promise((r) => setTimeout(r, 200));
  t.equal(push.hits, 2, 'the replay reached the target');

  // Statistics: the chart counts both dossiers by agency.
  await page.getByRole('link', { name: 'Thống kê' }).click();
  await page.getByTestId('chart').locator('text', { hasText: AGENCY }).waitFor(WAIT);
  t.equal(await page.getByTestId('total').textContent(), '2', 'the chart counts the two dossiers');
  await shot(page, 'statistics');

  await page.getByRole('link', { name: 'Nhật ký' }).click();
  t.match(await page.getByTestId('verify').textContent(WAIT), /^Chuỗi băm hợp lệ/);
  await page.locator('td', { hasText: 'system.register' }).first().waitFor(WAIT);
  await shot(page, 'audit');

  // Every act landed in the audit log under the token's actor.
  const audit = await hub.app.inject({ method: 'GET', url: '/v1/admin/audit?limit=1000', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const acts = (audit.json().items as { actor: string; action: string }[]).filter((e) => e.actor === 'admin').map((e) => e.action);
  for (const a of ['console.sign-in', 'mapping.dry-run', 'system.register', 'sample.add', 'mapping.version', 'mapping.activate', 'dossier.read', 'rollout.update', 'conformance.read', 'system.update', 'key.rotate', 'certificate.issue', 'certificate.revoke', 'dead-letter.replay', 'stats.read']) {
    t.ok(acts.includes(a), `${a} audited under admin`);
  }

  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.getByLabel('Mã quản trị (admin token)').waitFor(WAIT);
  await shot(page, 'signed-out');
  t.equal(await page.evaluate(async () => (await fetch('/v1/admin/overview')).status), 401, 'after sign-out the cookie opens nothing');

  t.same([...origins], [base], 'every request of the page went to the hub itself');
});
