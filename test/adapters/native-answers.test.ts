// What the two formats answer and how replies are judged (legacy/tnmt.md "The answer", legacy/undp.md).
import t from 'tap';
import { tnmtXmlAdapter as tnmt } from '../../adapters/tnmt-xml/index.js';
import { undpMotcuaAdapter as undp } from '../../adapters/undp-motcua/index.js';
import { STATUS_ROWS } from '../../adapters/undp-motcua/decode.js';
import { parseXmlText, childrenNamed, attr } from '../../adapters/kit/xml.js';
import { request } from '../../adapters/kit/conformance.js';
import type { ItemOutcome, Receipt } from '../../adapters/kit/contract.js';

const hoSo = (code: string, st = '2') => `<HoSo maHoSo="${code}" maThuTuc="1.004227" ngayTiepNhan="2026-11-27T08:15:00" trangThai="${st}"><CoQuan ma="000.00.15.H12" cap="tinh"/><NguoiDeNghi loai="1"><HoTen>A</HoTen></NguoiDeNghi></HoSo>`;
const body = `<GoiTin><DanhSachHoSo>${hoSo('000.00.15.H12-261127-0001')}${hoSo('000.00.15.H12-261127-0002', 'x')}${hoSo('000.00.15.H12-261127-0003')}</DanhSachHoSo></GoiTin>`;
const receipt = (code: string): Receipt => ({ receiptId: `r-${code}`, dossierCode: code, revision: 1, status: 4, duplicate: false, payloadSha256: 'p', canonicalSha256: 'c', acceptedAt: '2026-11-27T08:15:02+07:00' });

t.test('tnmt answer: KetQua with counts, 1-based viTri, 202 when any accepted', async (t) => {
  const decode = tnmt.decode(request(body, 'application/xml'));
  const outcomes: ItemOutcome[] = [
    { index: 0, ok: true, receipt: receipt('000.00.15.H12-261127-0001') },
    { index: 2, ok: false, code: 'HUB_VALIDATION', status: 422, detail: 'invalid', errors: [{ path: '/GoiTin/DanhSachHoSo/HoSo/3/@ngayTiepNhan', message: 'x' }] },
  ];
  const answer = tnmt.answer!({ decode, outcomes, accept: undefined });
  t.equal(answer.status, 202);
  const { root } = parseXmlText(String(answer.body));
  t.same([attr(root, 'maLoi'), attr(root, 'soHoSoNhan'), attr(root, 'soHoSoLoi')], ['0', '1', '2']);
  const items = childrenNamed(root, 'HoSo');
  t.same(items.map((h) => [attr(h, 'viTri'), attr(h, 'maLoi')]), [[undefined, '0'], ['2', 'HUB_STATUS_UNKNOWN'], ['3', 'HUB_VALIDATION']]);
  t.match(attr(items[2]!, 'moTa'), /@ngayTiepNhan/);

  const json = tnmt.answer!({ decode, outcomes, accept: 'application/json' });
  const parsed = JSON.parse(String(json.body));
  t.equal(json.status, 202);
  t.same(parsed.rejected.map((r: { index: number; code: string }) => [r.index, r.code]), [[1, 'HUB_STATUS_UNKNOWN'], [2, 'HUB_VALIDATION']], '0-based index in JSON');

  const none = tnmt.answer!({ decode, outcomes: [outcomes[1]!], accept: 'application/json' });
  t.equal(none.status, 422);
  t.equal(none.contentType, 'application/problem+json');
  const noneXml = tnmt.answer!({ decode, outcomes: [outcomes[1]!], accept: undefined });
  t.equal(noneXml.status, 422);
  t.equal(attr(parseXmlText(String(noneXml.body)).root, 'maLoi'), 'HUB_BATCH_REJECTED');
});

t.test('tnmt answerError and judgeReply', async (t) => {
  const e = tnmt.answerError!({ code: 'HUB_REQUEST_DOCTYPE', status: 400, detail: 'refused', errors: [] });
  t.equal(e.status, 400);
  t.equal(attr(parseXmlText(String(e.body)).root, 'maLoi'), 'HUB_REQUEST_DOCTYPE');
  t.same(tnmt.judgeReply(200, '<KetQua xmlns="urn:stnmt:motcua:v2" maLoi="0"/>'), { ok: true });
  t.match(tnmt.judgeReply(200, '<KetQua maLoi="E12"/>'), { ok: false, permanent: true });
  t.match(tnmt.judgeReply(200, 'OK'), { ok: false, permanent: true });
  t.match(tnmt.judgeReply(503, ''), { ok: false, permanent: false });
  t.match(tnmt.judgeReply(408, ''), { ok: false, permanent: false });
  t.match(tnmt.judgeReply(429, ''), { ok: false, permanent: false });
  t.match(tnmt.judgeReply(404, ''), { ok: false, permanent: true });
});

t.test('undp: every status text of the table, in any form', async (t) => {
  for (const [code, texts] of STATUS_ROWS) {
    for (const text of texts) {
      for (const form of [text, text.normalize('NFD').toUpperCase(), `  ${text.toLowerCase().replace(/ /g, '   ')} `]) {
        const r = undp.decode(request(JSON.stringify({ so_ho_so: '1', ma_tthc: '2.000889', don_vi: { ma: '000.12.34.H12' }, nguoi_nop: 'A', ngay_nhan: '1/1/2026', tinh_trang: form }), 'application/json'));
        t.equal(r.items[0]?.op?.kind === 'change' ? r.items[0].op.change.status : r.items[0]?.error?.code, code, JSON.stringify(form));
      }
    }
  }
});

t.test('undp judgeReply', async (t) => {
  t.same(undp.judgeReply(204, ''), { ok: true });
  t.match(undp.judgeReply(500, ''), { permanent: false });
  t.match(undp.judgeReply(429, ''), { permanent: false });
  t.match(undp.judgeReply(400, ''), { permanent: true });
});
