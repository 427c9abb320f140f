// The dry-run table of `lgsp-hub mapping dry-run` from answers shaped as mapping.md §16 gives them: one row per
// field (item · canonical · native · raw · value · error), then warnings, unread leaves, the round trip, samples.
import t from 'tap';
import { renderDryRun } from '../../src/cli/commands/mapping.js';

t.test('a traced ok item, an item with errors, samples', async (t) => {
  const out = renderDryRun({
    mapping: { source: 'request', sha256: 'ab', size: 10, warnings: ['/fields/x: never matched'] }, batch: true,
    items: [
      { index: 0, ok: true, ref: { localCode: 'KHDT-1' }, change: { status: 4 }, errors: [],
        trace: [{ canonical: '/status', native: '/hoSo/trangThai/ma', raw: 'DANG_XU_LY', value: 4, rule: '/fields/status' }],
        unread: ['/hoSo/ghiChu'], roundTrip: { equal: true, lost: ['/agency/level'], diff: [] } },
      { index: 1, ok: false, change: { summary: 'Đăng ký kinh doanh' },
        errors: [{ code: 'HUB_DATE_INVALID', canonical: '/receivedAt', native: '/hoSo/ngayNop', rule: '/fields/receivedAt', value: '31/02/2026', message: 'not a real date' }], unread: [] },
    ],
    samples: [{ id: 's1', name: 'khdt.json', reproduces: false, diff: [] }],
  });
  t.match(out, /^item\s+canonical\s+native\s+raw\s+value\s+error$/m);
  t.match(out, /^0\s+\/status\s+\/hoSo\/trangThai\/ma\s+DANG_XU_LY\s+4\s+—$/m, 'a traced field');
  t.match(out, /^1\s+\/summary\s+—\s+—\s+Đăng ký kinh doanh\s+—$/m, 'an untraced field, Vietnamese as is');
  t.match(out, /^1\s+\/receivedAt\s+\/hoSo\/ngayNop\s+—\s+31\/02\/2026\s+HUB_DATE_INVALID: not a real date$/m, 'an error row');
  t.match(out, /^warnings: \n {2}\/fields\/x: never matched$/m);
  t.match(out, /^unread leaves: \n {2}item 0: \/hoSo\/ghiChu$/m);
  t.match(out, /^ {2}item 0: equal, lost \/agency\/level$/m);
  t.match(out, /^ {2}item 1: —$/m, 'no round trip for an item with errors');
  t.match(out, /^s1\s+khdt\.json\s+NO$/m);
});

t.test('a payload refused whole', async (t) => {
  const out = renderDryRun({ mapping: { warnings: [] }, refused: { code: 'HUB_REQUEST_DOCTYPE', status: 400, detail: 'DOCTYPE', errors: [] }, items: [] });
  t.match(out, /^refused whole: 400 HUB_REQUEST_DOCTYPE: DOCTYPE$/m);
  t.match(out, /^warnings: none$/m);
});
