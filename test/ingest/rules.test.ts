// The field and acceptance rules of canonical.md, through real HTTP (inject) against a real SQLite store.
import t from 'tap';
import { startHub, dossier, type TestHub } from '../helpers/hub.js';

const CODE = '000.00.15.H12-261127-0007';
let hub: TestHub;
let key: string;
let other: string;

t.before(async () => {
  hub = await startHub();
  key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12', '000.00.16.H12'] });
  other = await hub.register({ id: 'other-dept', agencies: ['000.00.20.H12'] });
});
t.teardown(() => hub.close());

const read = async (code: string) => (await hub.get(`/v1/dossiers/${code}`, key)).json();
const events = async (code: string) => (await hub.get(`/v1/dossiers/${code}/events`, key)).json().items as { revision: number; type: string }[];

t.test('hub-owned fields are refused with 422 naming the field', async (t) => {
  for (const [field, value] of [['revision', 3], ['updatedAt', '2026-11-27T08:00:00+07:00'], ['routing', { origin: 'x', holder: 'x', transfers: [] }], ['dueAtSource', 'hub']] as const) {
    const res = await hub.post('tnmt', key, dossier({ code: '000.00.15.H12-261127-0101', [field]: value }));
    t.equal(res.statusCode, 422, field);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.equal(res.json().code, 'HUB_VALIDATION_HUB_OWNED');
    t.same(res.json().errors[0].path, `/${field}`);
  }
  t.equal((await hub.get('/v1/dossiers/000.00.15.H12-261127-0101', key)).statusCode, 404, 'nothing stored');
});

t.test('a local number alone gets a national code (agency, local date of receipt, next number), and keeps it', async (t) => {
  const first = await hub.post('tnmt', key, dossier({ code: undefined, altCodes: [{ system: 'tnmt', code: 'VPDK-A1' }], receivedAt: '2026-11-26T18:30:00Z' }));
  t.equal(first.statusCode, 202, first.body);
  t.equal(first.json().dossierCode, '000.00.15.H12-261127-0001', '18:30Z is 27/11 01:30 in Vietnam');
  const again = await hub.post('tnmt', key, dossier({ code: undefined, altCodes: [{ system: 'tnmt', code: 'VPDK-A1' }], receivedAt: '2026-11-26T18:30:00Z', summary: 'Đã sửa trích yếu' }));
  t.equal(again.json().dossierCode, '000.00.15.H12-261127-0001', 'the same local number maps to the same code');
  t.equal(again.json().revision, 2);
  const second = await hub.post('tnmt', key, dossier({ code: undefined, altCodes: [{ system: 'tnmt', code: 'VPDK-A2' }], receivedAt: '2026-11-27T09:00:00+07:00' }));
  t.equal(second.json().dossierCode, '000.00.15.H12-261127-0002');
  const conflict = await hub.post('tnmt', key, dossier({ code: '000.00.15.H12-261127-0002', altCodes: [{ system: 'tnmt', code: 'VPDK-A1' }] }));
  t.equal(conflict.statusCode, 409);
  t.equal(conflict.json().code, 'HUB_CODE_CONFLICT');
  const foreign = await hub.post('tnmt', key, dossier({ code: undefined, altCodes: [{ system: 'someone-else', code: 'X' }] }));
  t.equal(foreign.statusCode, 422);
  t.equal(foreign.json().errors[0].path, '/altCodes/0/system');
  const none = await hub.post('tnmt', key, dossier({ code: undefined }));
  t.equal(none.statusCode, 422);
  t.equal(none.json().errors[0].path, '/code');
});

t.test('a number already held by a dossier is skipped when issuing', async (t) => {
  await hub.post('tnmt', key, dossier({ code: '000.00.16.H12-261201-0001', agency: { code: '000.00.16.H12', level: 'province' }, receivedAt: '2026-12-01T08:00:00+07:00' }));
  const issued = await hub.post('tnmt', key, dossier({ code: undefined, altCodes: [{ system: 'tnmt', code: 'L-16' }], agency: { code: '000.00.16.H12', level: 'province' }, receivedAt: '2026-12-01T09:00:00+07:00' }));
  t.equal(issued.json().dossierCode, '000.00.16.H12-261201-0002');
});

t.test('merge: present fields replace, absent stay, lists of documents replace, steps are a union in time order', async (t) => {
  const code = '000.00.15.H12-261127-0200';
  await hub.post('tnmt', key, dossier({ code, documents: [{ name: 'A' }, { name: 'B' }] }));
  const res = await hub.post('tnmt', key, {
    code, summary: 'Trích yếu mới', documents: [{ name: 'C' }],
    steps: [{ at: '2026-11-27T07:00:00+07:00', status: 1, actor: 'Desk' }, { at: '2026-11-27T08:15:00+07:00', status: 2, actor: 'Phạm Thị Hoa', note: 'Tiếp nhận hồ sơ' }],
  });
  t.equal(res.statusCode, 202, res.body);
  const d = await read(code);
  t.equal(d.summary, 'Trích yếu mới');
  t.equal(d.applicant.name, 'Lê Văn Cường', 'absent fields stay');
  t.same(d.documents, [{ name: 'C' }]);
  t.same(d.steps.map((s: { at: string }) => s.at), ['2026-11-27T07:00:00+07:00', '2026-11-27T08:15:00+07:00'], 'union, time order, no duplicate');
  t.equal(d.status, 2, 'the late step does not roll the status back');
  t.same((await events(code)).map((e) => e.type), ['dossier.received', 'dossier.updated']);
});

t.test('first step: added at receivedAt on a first submission, at acceptance time later', async (t) => {
  const code = '000.00.15.H12-261127-0300';
  await hub.post('tnmt', key, dossier({ code, steps: undefined, status: 1 }));
  let d = await read(code);
  t.same(d.steps, [{ at: '2026-11-27T08:15:00+07:00', status: 1 }]);
  const before = Date.now();
  await hub.post('tnmt', key, { code, status: 4 });
  d = await read(code);
  t.equal(d.status, 4);
  t.equal(d.steps.length, 2);
  t.ok(Date.parse(d.steps[1].at) >= before - 1000, 'the added step is at the time the hub accepted the change');
  t.match(d.steps[1].at, /\+07:00$/);
  t.same((await events(code)).map((e) => e.type), ['dossier.received', 'dossier.status-changed']);
});

t.test('status 9 and 10 without finishedAt / returnedAt get the status time', async (t) => {
  const code = '000.00.15.H12-261127-0400';
  await hub.post('tnmt', key, dossier({ code }));
  await hub.post('tnmt', key, { code, status: 9, steps: [{ at: '2026-11-30T10:00:00+07:00', status: 9 }] });
  let d = await read(code);
  t.equal(d.finishedAt, '2026-11-30T10:00:00+07:00');
  await hub.post('tnmt', key, { code, status: 10, steps: [{ at: '2026-12-01T03:00:00Z', status: 10 }] });
  d = await read(code);
  t.equal(d.returnedAt, '2026-12-01T10:00:00+07:00', 'output times are +07:00 whatever the source used');
  t.equal(d.finishedAt, '2026-11-30T10:00:00+07:00', 'an existing finishedAt stays');
});

t.test('terminal statuses: leaving one needs the holder or the platform, with a reopenReason', async (t) => {
  const code = '000.00.15.H12-261127-0500';
  await hub.post('tnmt', key, dossier({ code, status: 7, steps: [{ at: '2026-11-27T08:15:00+07:00', status: 7 }] }));
  const refused = await hub.post('tnmt', key, { code, status: 4, steps: [{ at: '2026-11-28T08:00:00+07:00', status: 4 }] });
  t.equal(refused.statusCode, 409);
  t.equal(refused.json().code, 'HUB_STATUS_TERMINAL');
  const reopened = await hub.post('tnmt', key, { code, status: 4, reopenReason: 'Công dân nộp lại', steps: [{ at: '2026-11-28T08:00:00+07:00', status: 4 }] });
  t.equal(reopened.statusCode, 202, reopened.body);
  const d = await read(code);
  t.equal(d.status, 4);
  t.match(d.steps.at(-1).note, /Công dân nộp lại/, 'the reason is kept in the note of the step');
  t.notOk('reopenReason' in d, 'reopenReason is a field of the change only');
});

t.test('late changes go into steps in time order and never roll the status back', async (t) => {
  const code = '000.00.15.H12-261127-0600';
  await hub.post('tnmt', key, dossier({ code, status: 4, steps: [{ at: '2026-11-28T09:00:00+07:00', status: 4 }] }));
  const late = await hub.post('tnmt', key, { code, status: 2, steps: [{ at: '2026-11-27T10:00:00+07:00', status: 2, actor: 'Desk' }] });
  t.equal(late.statusCode, 202);
  t.equal(late.json().status, 4);
  const d = await read(code);
  t.same(d.steps.map((s: { status: number }) => s.status), [2, 4]);
  t.equal((await events(code)).at(-1)!.type, 'dossier.updated');
});

t.test('an identical change again is a duplicate: the earlier receipt, nothing stored', async (t) => {
  const code = '000.00.15.H12-261127-0700';
  const a = await hub.post('tnmt', key, dossier({ code }));
  const b = await hub.post('tnmt', key, dossier({ code }));
  t.equal(b.statusCode, 202);
  t.same({ ...b.json(), duplicate: false }, a.json());
  t.equal(b.json().duplicate, true);
  t.equal((await events(code)).length, 1);
  const backlog = await hub.ctx.store.outboxBacklog();
  const again = await hub.post('tnmt', key, JSON.stringify(dossier({ code })).replace('{', '{ '));
  t.equal(again.json().duplicate, true, 'the canonical hash ignores the byte form');
  t.equal((await hub.ctx.store.outboxBacklog()).count, backlog.count, 'no outbox row for a duplicate');
});

t.test('scope: another department can neither write nor read the dossier', async (t) => {
  const code = '000.00.15.H12-261127-0800';
  await hub.post('tnmt', key, dossier({ code }));
  const write = await hub.post('other-dept', other, { code, status: 4 });
  t.equal(write.statusCode, 403);
  t.equal(write.json().code, 'HUB_AUTHZ_AGENCY_SCOPE');
  const create = await hub.post('other-dept', other, dossier({ code: '000.00.15.H12-261127-0801' }));
  t.equal(create.statusCode, 403);
  t.equal(create.json().errors[0].path, '/agency/code');
  const readIt = await hub.get(`/v1/dossiers/${code}`, other);
  t.equal(readIt.statusCode, 404, 'reading outside the scope is a 404');
  const path = await hub.post('tnmt', other, dossier({ code }));
  t.equal(path.statusCode, 403);
  t.equal(path.json().code, 'HUB_AUTHZ_SYSTEM');
});

t.test('text is stored NFC, trimmed and collapsed; phones and ids as digits', async (t) => {
  const code = '000.00.15.H12-261127-0900';
  const nfd = 'Lê Văn Cường'.normalize('NFD');
  const res = await hub.post('tnmt', key, dossier({ code, applicant: { type: 'citizen', name: `  ${nfd}\u200b   Jr  `, phone: '+84 903.111.222', idNumber: '079 085 001 122' } }));
  t.equal(res.statusCode, 202, res.body);
  const d = await read(code);
  t.equal(d.applicant.name, 'Lê Văn Cường Jr');
  t.equal(d.applicant.name, d.applicant.name.normalize('NFC'));
  t.equal(d.applicant.phone, '+84903111222');
  t.equal(d.applicant.idNumber, '079085001122');
});

t.test('impossible dates, out-of-range numbers and unknown fields are 422 naming the field', async (t) => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ receivedAt: '2026-02-31T08:00:00+07:00' }, 'HUB_DATE_INVALID', '/receivedAt'],
    [{ receivedAt: '2026-11-27T25:00:00+07:00' }, 'HUB_DATE_INVALID', '/receivedAt'],
    [{ steps: [{ at: '2026-13-01T08:00:00+07:00', status: 2 }] }, 'HUB_DATE_INVALID', '/steps/0/at'],
    [{ receivedAt: '27/11/2026' }, 'HUB_DATE_INVALID', '/receivedAt'],
    [{ status: 11 }, 'HUB_VALIDATION', '/status'],
    [{ status: 2.5 }, 'HUB_VALIDATION', '/status'],
    [{ fees: [{ name: 'Lệ phí', amount: 1e18 }] }, 'HUB_VALIDATION', '/fees/0/amount'],
    [{ fees: [{ name: 'Lệ phí', amount: -1 }] }, 'HUB_VALIDATION', '/fees/0/amount'],
    [{ fees: [{ amount: 5 }] }, 'HUB_VALIDATION', '/fees/0/name'],
    [{ channel: 'fax' }, 'HUB_VALIDATION', '/channel'],
    [{ agency: { code: '000..15.H12', level: 'province' } }, 'HUB_VALIDATION', '/agency/code'],
    [{ color: 'red' }, 'HUB_VALIDATION', '/color'],
    [{ applicant: { type: 'citizen' } }, 'HUB_VALIDATION', '/applicant/name'],
    [{ summary: 'x'.repeat(2001) }, 'HUB_VALIDATION', '/summary'],
    [{ summary: 'bad \ud800 surrogate' }, 'HUB_VALIDATION', '/summary'],
  ];
  for (const [override, code, path] of cases) {
    const res = await hub.post('tnmt', key, dossier({ code: '000.00.15.H12-261127-0999', ...override }));
    t.equal(res.statusCode, 422, `${JSON.stringify(override).slice(0, 60)} → 422`);
    t.equal(res.json().code, code);
    t.equal(res.json().errors?.[0]?.path, path);
  }
  const missing = await hub.post('tnmt', key, { code: '000.00.15.H12-261127-0998' });
  t.equal(missing.statusCode, 422, 'a first submission needs every required field');
  t.equal((await hub.get('/v1/dossiers/000.00.15.H12-261127-0999', key)).statusCode, 404, 'nothing half-stored');
});

t.test('the DVCQG export: every value a string, dates yyyyMMddHHmmss local', async (t) => {
  const code = '000.00.15.H12-261127-1000';
  await hub.post('tnmt', key, dossier({ code, fees: [{ code: 'LPTB', name: 'Lệ phí trước bạ', amount: 2250000 }], documents: [{ name: 'Hợp đồng', componentCode: 'TP01', url: 'https://x.example/a.pdf' }] }));
  const res = await hub.get(`/v1/dossiers/${code}?format=dvcqg`, key);
  t.equal(res.statusCode, 200);
  const x = res.json();
  t.equal(x.MaHoSo, code);
  t.equal(x.NgayTiepNhan, '20261127081500');
  t.equal(x.NgayHenTra, '20261218170000');
  t.equal(x.NgayKetThucXuLy, '');
  t.equal(x.TrangThaiHoSo, '2');
  t.equal(x.LoaiDoiTuong, '1');
  t.equal(x.KenhThucHien, '1');
  t.equal(x.HinhThuc, '0');
  t.equal(x.DonViXuLy, 'Văn phòng Đăng ký đất đai tỉnh');
  t.match(x.DanhSachLePhi, [{ TenPhiLePhi: 'Lệ phí trước bạ', MaPhiLePhi: 'LPTB', Gia: '2250000' }]);
  t.match(x.TaiLieuNop, [{ TenTepDinhKem: 'Hợp đồng', MaThanhPhanHoSo: 'TP01', DuongDanTaiTepTin: 'https://x.example/a.pdf', IsDeleted: 'False' }]);
  const scalars = Object.values(x).filter((v) => !Array.isArray(v));
  t.ok(scalars.every((v) => typeof v === 'string'), 'every scalar is a string');
});

t.test('a new dossier by local number without an agency is a 422 naming /agency, not a failure', async (t) => {
  const res = await hub.post('tnmt', key, dossier({ code: undefined, agency: undefined, altCodes: [{ system: 'tnmt', code: 'NOAG-1' }] }));
  t.equal(res.statusCode, 422, res.body);
  t.equal(res.json().errors[0].path, '/agency');
});

t.test('codes and local numbers are matched in their normalised form', async (t) => {
  const code = '000.00.15.H12-261127-1100';
  const first = await hub.post('tnmt', key, dossier({ code, altCodes: [{ system: 'tnmt', code: 'L-9' }] }));
  t.equal(first.statusCode, 202);
  const spaced = await hub.post('tnmt', key, dossier({ code: ` ${code}\u200b`, altCodes: [{ system: 'tnmt', code: 'L-9 ' }] }));
  t.equal(spaced.statusCode, 202, spaced.body);
  t.equal(spaced.json().duplicate, true, 'the same change, whatever the stray spaces');
  const partial = await hub.post('tnmt', key, { code: `${code} `, summary: 'Cập nhật' });
  t.equal(partial.statusCode, 202, partial.body);
  t.equal(partial.json().revision, 2);
  t.same((await read(code)).altCodes, [{ system: 'tnmt', code: 'L-9' }]);
});

t.test('a supplementation round sent again is merged into the open round; resubmittedAt, previousDueAt, newDueAt are the hub\'s', async (t) => {
  const code = '000.00.15.H12-261127-1200';
  await hub.post('tnmt', key, dossier({ code, supplements: [{ requestedAt: '2026-11-28T08:00:00+07:00' }] }));
  await hub.post('tnmt', key, { code, supplements: [{ requestedAt: '2026-11-28T08:00:00+07:00', reason: 'Thiếu giấy tờ', resubmittedAt: '2026-11-30T09:00:00+07:00', newDueAt: '2026-12-30T09:00:00+07:00' }] });
  t.same((await read(code)).supplements, [{ requestedAt: '2026-11-28T08:00:00+07:00', reason: 'Thiếu giấy tờ' }]);
  await hub.post('tnmt', key, { code, supplements: [{ requestedAt: '2026-11-28T10:00:00+07:00', requestedBy: 'Phạm Thị Hoa' }] });
  t.same((await read(code)).supplements, [{ requestedAt: '2026-11-28T08:00:00+07:00', reason: 'Thiếu giấy tờ', requestedBy: 'Phạm Thị Hoa' }],
    'merged into the open round whatever its requestedAt');
});

t.test('clearing the deadline is the source\'s: dueAt null, dueAtSource source, judgedDueAt as it was', async (t) => {
  const code = '000.00.15.H12-261127-1300';
  await hub.post('tnmt', key, dossier({ code }));
  await hub.post('tnmt', key, { code, dueAt: null });
  const d = await read(code);
  t.equal(d.dueAt, null);
  t.equal(d.dueAtSource, 'source');
  t.equal(d.judgedDueAt, '2026-12-18T17:00:00+07:00');
});

t.test('the responsible agency changes only by transfer; an ordinary change naming another agency does not move it', async (t) => {
  const code = '000.00.15.H12-261127-1400';
  await hub.post('tnmt', key, dossier({ code }));
  const res = await hub.post('tnmt', key, { code, agency: { code: '000.00.16.H12', level: 'province' }, summary: 'x' });
  t.equal(res.statusCode, 202);
  const d = await read(code);
  t.equal(d.agency.code, '000.00.15.H12');
  t.equal(d.summary, 'x');
  await hub.post('tnmt', key, { code, agency: { code: '000.00.15.H12', name: 'Văn phòng Đăng ký đất đai (tên mới)', level: 'province' } });
  t.equal((await read(code)).agency.name, 'Văn phòng Đăng ký đất đai (tên mới)', 'the same agency may refresh its name');
});

t.test('writing a status outside the scope is 403; an unknown dossier is 404', async (t) => {
  const code = '000.00.15.H12-261127-1500';
  await hub.post('tnmt', key, dossier({ code }));
  const res = await hub.app.inject({ method: 'POST', url: `/v1/dossiers/${code}/status`, headers: { authorization: `Bearer ${other}` }, payload: { status: 4, at: '2026-11-28T08:00:00+07:00' } });
  t.equal(res.statusCode, 403);
  t.equal(res.json().code, 'HUB_AUTHZ_AGENCY_SCOPE');
  const missing = await hub.app.inject({ method: 'POST', url: '/v1/dossiers/000.00.15.H12-261127-9998/status', headers: { authorization: `Bearer ${other}` }, payload: { status: 4, at: '2026-11-28T08:00:00+07:00' } });
  t.equal(missing.statusCode, 404);
});
