import test from 'ava';
import { normJson, TIME } from './helpers/normalize.js';
import { runCli } from './helpers/run-cli.js';
import { serverFor } from './helpers/server.js';

test('trunks create and list; numbers create and list --json (passwords never shown)', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.queues.create({ name: 'support' });
  await admin.trunks.create({ name: 'backup', host: '192.0.2.10', inboundUsername: 'hotline', inboundPassword: 'in-secret-123' });

  let r = await runCli([
    'trunks', 'create', 'carrier', '--host', 'sip.carrier.example', '--inbound-cidr', '203.0.113.0/24', '--inbound-cidr', '2001:db8::/32',
    '--transport', 'tcp', '--port', '5080', '--username', 'acct42', '--password', 'out-secret-456', '--register', '--max-calls', '30',
  ], env);
  t.is(r.code, 0, r.stderr);
  t.false(r.stdout.includes('out-secret-456'));
  t.regex(r.stdout, /^outbound credentials: yes$/m);

  r = await runCli(['trunks', 'list'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, [
    'NAME     HOST                      TRANSPORT  INBOUND  REGISTER   MAX CALLS  STATUS',
    'backup   192.0.2.10:5060           udp        digest   no         unlimited  enabled',
    'carrier  sip.carrier.example:5080  tcp        ip (2)   yes (off)  30         enabled',
    '',
  ].join('\n'));

  r = await runCli(['numbers', 'create', '+4930123456', '--target', 'queue:support', '--description', 'Support hotline'], env);
  t.is(r.code, 0, r.stderr);
  await admin.numbers.create({ number: '4930123400', target: 'flow:main' });

  r = await runCli(['numbers', 'list', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(normJson(JSON.parse(r.stdout)), [
    { id: 1, number: '+4930123456', description: 'Support hotline', target: 'queue:support', createdAt: TIME, updatedAt: TIME },
    { id: 2, number: '4930123400', description: '', target: 'flow:main', createdAt: TIME, updatedAt: TIME },
  ]);
});
