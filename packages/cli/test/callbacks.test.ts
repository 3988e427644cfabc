/**
 * `hotline callbacks ...` against a real server: create (--in, --at, defaults from the customer), list
 * (table and filters), show, cancel (again: exit 6), bad input (exit 7 naming the field; a bad --in is
 * a usage error, exit 2), unknown ids (exit 5) and role errors (auditors: exit 4).
 */
import test from 'ava';
import { runCli } from './helpers/run-cli.js';
import { serverFor, tokenFor } from './helpers/server.js';

test('callbacks create, list, show, cancel; bad input, unknown ids, roles', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.agents.create({ extension: '1001', name: 'Alice' });
  const ada = await admin.customers.create({ name: 'Ada', phones: ['+1 415 555 0123'], preferredAgent: '1001' });
  let r = await runCli(['callbacks', 'create', '--number', '+1 415 555 0100', '--agent', '1001', '--in', '2h', '--note', 'invoice', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  t.like(a, { number: '+14155550100', agent: '1001', status: 'scheduled', attempts: 0, maxAttempts: 3, note: 'invoice', createdBy: 'admin' });
  const due = Date.parse(a.dueAt) - Date.now();
  t.true(due > 119 * 60_000 && due <= 120 * 60_000, `due in two hours (${due} ms)`);
  r = await runCli(['callbacks', 'create', '--customer', String(ada.id), '--at', '2030-01-02T03:04:05Z', '--max-attempts', '1'], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^number: +\+14155550123$/m);
  t.regex(r.stdout, /^agent: +1001$/m, "the customer's preferred agent");
  t.regex(r.stdout, /^attempts: +0 of 1, every 10 min$/m);
  const b = Number(/^id: +(\d+)$/m.exec(r.stdout)![1]);

  r = await runCli(['callbacks', 'list'], env);
  t.deepEqual(r.stdout.split('\n')[0]!.trim().split(/\s+/), ['ID', 'STATUS', 'DUE', 'NUMBER', 'AGENT', 'CUSTOMER', 'ATTEMPTS', 'NOTE']);
  t.regex(r.stdout, new RegExp(`^${b} +scheduled +2030-01-02T03:04:05.000Z +\\+14155550123 +1001 +${ada.id} +0/1 +-$`, 'm'));
  r = await runCli(['callbacks', 'list', '--customer', String(ada.id), '--json'], env);
  t.deepEqual(JSON.parse(r.stdout).map((c: { id: number }) => c.id), [b]);

  r = await runCli(['callbacks', 'cancel', String(b)], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^status: +cancelled$/m);
  r = await runCli(['callbacks', 'cancel', String(b)], env);
  t.is(r.code, 6);
  t.regex(r.stderr, /is cancelled: it cannot become cancelled/);
  r = await runCli(['callbacks', 'list', '--status', 'cancelled', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout).map((c: { id: number }) => c.id), [b]);
  r = await runCli(['callbacks', 'show', String(a.id), '--json'], env);
  t.deepEqual(JSON.parse(r.stdout), a);

  r = await runCli(['callbacks', 'create', '--number', '12', '--in', '5m'], env);
  t.is(r.code, 7);
  t.regex(r.stderr, /\/number: /);
  r = await runCli(['callbacks', 'create', '--number', '+1 415 555 0100'], env);
  t.is(r.code, 7);
  t.regex(r.stderr, /\/agent: name the agent to call back from/);
  r = await runCli(['callbacks', 'create', '--number', '+1 415 555 0100', '--agent', '1001', '--in', 'soon'], env);
  t.is(r.code, 2);
  t.regex(r.stderr, /--in expects a number and a unit m, h or d/);
  t.is((await runCli(['callbacks', 'create', '--agent', '1001', '--in', '5m', '--at', '2030-01-02T03:04:05Z'], env)).code, 2, '--at and --in exclude each other');
  t.is((await runCli(['callbacks', 'show', '999'], env)).code, 5);

  const auditor = { ...env, HOTLINE_TOKEN: await tokenFor(admin, 'audrey', 'auditor') };
  t.is((await runCli(['callbacks', 'list'], auditor)).code, 0);
  t.is((await runCli(['callbacks', 'cancel', String(a.id)], auditor)).code, 4);
});
