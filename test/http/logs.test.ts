// Personal data and credentials never reach the logs: proven from the captured log lines of real requests.
import t from 'tap';
import { startHub, dossier, ADMIN_TOKEN } from '../helpers/hub.js';

t.test('id numbers, phones, e-mails and keys are not in any log line; correlation ids are', async (t) => {
  const hub = await startHub({ config: { logLevel: 'trace' } });
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  const applicant = { type: 'citizen', name: 'Lê Văn Cường', idNumber: '079085001122', phone: '0903111222', email: 'cuong@example.vn' };
  await hub.post('tnmt', key, dossier({ applicant }), { 'x-correlation-id': 'corr-log-1' });
  await hub.post('tnmt', key, dossier({ code: '000.00.15.H12-261127-0099', applicant, status: 42 }));
  await hub.post('tnmt', 'tnmt.not-the-key-but-secret-looking', dossier({ applicant }));
  await hub.app.inject({ method: 'GET', url: '/v1/admin/systems', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  await hub.app.inject({ method: 'GET', url: '/v1/public/dossiers/000.00.15.H12-261127-0007?verifier=1122' });
  hub.ctx.log.info({ dossier: { applicant } }, 'an object carrying personal data');
  const all = hub.logs.join('');
  t.ok(hub.logs.length > 5, 'there are log lines to check');
  for (const secret of ['079085001122', '0903111222', 'cuong@example.vn', key.split('.')[1]!, 'not-the-key-but-secret-looking', ADMIN_TOKEN, 'verifier=1122']) {
    t.notOk(all.includes(secret), `"${secret.slice(0, 12)}…" is not logged`);
  }
  t.ok(hub.logs.some((l) => JSON.parse(l).correlationId === 'corr-log-1'), 'lines of a request carry its correlation id');
  t.ok(hub.logs.some((l) => l.includes('[redacted]')), 'redaction happened where personal data was passed');
});
