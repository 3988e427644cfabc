import test from 'ava';
import { sipRegisterUdp } from '@hotline/server/testing';
import { normJson, TIME } from './helpers/normalize.js';
import { runCli } from './helpers/run-cli.js';
import { serverFor } from './helpers/server.js';

test('registrations list prints the registered devices as a table and as JSON', async (t) => {
  const { s, admin, env } = await serverFor(t);
  await admin.agents.create({ extension: '1001', name: 'A', password: 'correct horse' });
  const port = s.server.listeners['sipUdp']!.port;
  t.is(await sipRegisterUdp({ port, user: '1001', password: 'correct horse', contact: '<sip:1001@127.0.0.1:5070>', expires: 600, userAgent: 'cli-test' }), 200);

  let r = await runCli(['registrations', 'list', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Array<Record<string, string>>;
  t.regex(json[0]!['source']!, /^127\.0\.0\.1:\d+$/);
  t.deepEqual(normJson(json), [{
    extension: '1001', contact: 'sip:1001@127.0.0.1:5070', transport: 'udp', source: json[0]!['source']!, userAgent: 'cli-test',
    expiresAt: TIME, registeredAt: TIME,
  }]);

  r = await runCli(['registrations', 'list'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
  const source = json[0]!['source']!;
  const w = Math.max('SOURCE'.length, source.length);
  // The remaining time counts down while the test runs: 10m00s, 9m59s (a few seconds less on a slow run).
  t.is(r.stdout.replace(/(?:9m5\ds|10m00s) */, (m) => 'T'.padEnd(m.length)), [
    `EXTENSION  CONTACT                  TRANSPORT  ${'SOURCE'.padEnd(w)}  EXPIRES IN  USER AGENT`,
    `1001       sip:1001@127.0.0.1:5070  udp        ${source.padEnd(w)}  T           cli-test`,
    '',
  ].join('\n'));
});
