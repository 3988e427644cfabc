import test from 'ava';
import { sipRegisterUdp } from '@hotline/server/testing';
import { normJson, TIME } from './helpers/normalize.js';
import { runCli } from './helpers/run-cli.js';
import { serverFor } from './helpers/server.js';

test('security bans lists banned SIP sources (table and JSON) and security unban lifts a ban', async (t) => {
  const { s, admin, env } = await serverFor(t, { sipBans: { maxFailures: 1 } });
  await admin.agents.create({ extension: '1001', name: 'A', password: 'correct horse' });

  let r = await runCli(['security', 'bans'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '(no bans)\n');

  t.is(await sipRegisterUdp({ port: s.server.listeners['sipUdp']!.port, user: '1001', password: 'wrong password', contact: '<sip:1001@127.0.0.1:5070>', userAgent: 'cli-test' }), 401);
  r = await runCli(['security', 'bans', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Array<{ until: string }>;
  t.true(Date.parse(json[0]!.until) > Date.now(), 'the ban ends in the future');
  t.deepEqual(normJson(json), [{ address: '127.0.0.1', until: TIME, failures: 1 }]);

  r = await runCli(['security', 'unban', '127.0.0.1'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '');
  t.is(r.stderr, `unbanned 127.0.0.1 (1 failure; the ban would have ended ${json[0]!.until})\n`);
  t.deepEqual(await admin.security.bans.list(), []);
});
