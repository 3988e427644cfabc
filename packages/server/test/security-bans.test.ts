/**
 * `GET /v1/security/bans` and `DELETE /v1/security/bans/:address`: an address that fails SIP digest
 * authentication too often shows up banned (with a `security.banned` event, not audited), who may see
 * and lift bans, and an admin's unban is audited and lets the address register again.
 */
import test from 'ava';
import { ApiError } from '../src/client/index.js';
import { allEvents, http, serve, waitFor } from './helpers.js';
import { udpPeer } from './sip-ua.js';

const PASSWORD = 'correct horse';
let calls = 0;
const callId = () => `ban-${process.pid}-${++calls}@127.0.0.1`;
const contact = '<sip:1001@127.0.0.1:5070>';

test('failed REGISTERs ban the address; the ban is listed, evented, and an admin lifts it (audited)', async (t) => {
  const s = await serve(t, { sipBans: { maxFailures: 2 } });
  await s.admin.agents.create({ extension: '1001', name: 'A', password: PASSWORD });
  const udp = (await s.admin.status()).listeners['sipUdp']!.port;
  const c = await udpPeer(t, udp);
  t.deepEqual(await s.admin.security.bans.list(), []);

  for (let i = 0; i < 2; i++) t.is((await c.register({ user: '1001', contacts: [contact], callId: callId(), cseq: 1 }, 'wrong')).status, 401);

  const bans = await s.admin.security.bans.list();
  t.is(bans.length, 1);
  t.like(bans[0], { address: '127.0.0.1', failures: 2 });
  const left = Date.parse(bans[0]!.until) - Date.now();
  t.true(left > 500_000 && left <= 600_000, `ban ends in ${left} ms (default 10 min)`);

  const banned = await waitFor('security.banned', async () => (await allEvents(s, ['security.*'])).find((e) => e.type === 'security.banned'));
  t.like(banned, { subjectType: 'address', subjectId: '127.0.0.1' });
  t.like(banned.payload, { failures: 2 });
  t.is(Date.parse(banned.payload['until'] as string), Date.parse(bans[0]!.until));
  t.deepEqual(await s.admin.audit.list({ subjectType: 'address' }), [], 'a ban is SIP state, not audited');

  // Who may see and lift bans.
  const supervisor = await s.clientFor('supervisor');
  const agent = await s.clientFor('agent');
  const auditor = await s.clientFor('auditor');
  t.deepEqual(await supervisor.security.bans.list(), bans);
  t.deepEqual(await auditor.security.bans.list(), bans);
  const agentList = await t.throwsAsync(agent.security.bans.list(), { instanceOf: ApiError, message: /needs security:read/ });
  t.is(agentList?.status, 403);
  const supervisorUnban = await t.throwsAsync(supervisor.security.bans.unban('127.0.0.1'), { instanceOf: ApiError, message: /needs security:write/ });
  t.is(supervisorUnban?.status, 403);
  t.is((await s.admin.security.bans.list()).length, 1, 'a denied unban changes nothing');

  const notBanned = await http(s.url, 'DELETE', '/v1/security/bans/192.0.2.7', { token: s.adminToken });
  t.is(notBanned.status, 404);
  t.deepEqual(notBanned.body, { code: 'not_found', message: 'address "192.0.2.7" is not banned', details: [] });

  // IPv4-mapped IPv6 names the same address.
  t.deepEqual(await s.admin.security.bans.unban('::ffff:127.0.0.1'), bans[0]);
  t.deepEqual(await s.admin.security.bans.list(), []);
  const audit = await s.admin.audit.list({ subjectType: 'address' });
  t.is(audit.length, 1);
  t.like(audit[0], { action: 'security.unbanned', subjectId: '127.0.0.1', actor: 'admin' });
  const unbanned = (await allEvents(s, ['security.unbanned']))[0];
  t.like(unbanned, { subjectType: 'address', subjectId: '127.0.0.1' });

  t.is((await c.register({ user: '1001', contacts: [contact], callId: callId(), cseq: 1 }, PASSWORD)).status, 200, 'the address registers again');
  t.is((await s.admin.registrations.list()).length, 1);
});
