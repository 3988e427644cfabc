import test from 'ava';
import { flat, normJson, normTimes, TIME } from './helpers/normalize.js';
import { runCli } from './helpers/run-cli.js';
import { serverFor } from './helpers/server.js';

test('agents create, list, show, update and delete print tables and records', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.skills.create({ name: 'billing' });
  await admin.skills.create({ name: 'sales' });
  await admin.users.create({ name: 'ann', role: 'agent' });

  let r = await runCli(['agents', 'create', '1001', '--name', 'Ann Lee', '--user', 'ann', '--skill', 'billing=7', '--skill', 'sales=3', '--max-chats', '2'], env);
  t.is(r.code, 0, r.stderr);
  t.is(normTimes(r.stdout), [
    'extension: 1001',
    'name:      Ann Lee',
    'user:      ann',
    'skills:    billing:7,sales:3',
    'max chats: 2',
    'sip:       no',
    `created:   ${TIME}`,
    `updated:   ${TIME}`,
    '',
  ].join('\n'));
  t.is(r.stderr, '');

  r = await runCli(['agents', 'create', '--extension', '1002', '--name', 'Bob', '--generate-password'], env);
  t.is(r.code, 0, r.stderr);
  const password = /^sip password: (\S+)\n$/m.exec(r.stdout)?.[1];
  t.truthy(password, r.stdout);
  t.is(normTimes(r.stdout), [
    'extension:    1002',
    'name:         Bob',
    'user:         -',
    'skills:       -',
    'max chats:    1',
    'sip:          yes',
    `created:      ${TIME}`,
    `updated:      ${TIME}`,
    `sip password: ${password}`,
    '',
  ].join('\n'));
  t.is(r.stderr, 'note: the generated SIP password is shown only this once; store it now\n');

  r = await runCli(['agents', 'list'], env);
  t.is(r.stdout, [
    'EXTENSION  NAME     USER  SKILLS             MAX CHATS  SIP',
    '1001       Ann Lee  ann   billing:7,sales:3  2          no',
    '1002       Bob      -     -                  1          yes',
    '',
  ].join('\n'));

  r = await runCli(['agents', 'update', '1001', '--name', 'Ann Lee-Smith', '--skill', 'billing=9', '--clear-user', '--password', 'correct horse'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
  r = await runCli(['agents', 'show', '1001'], env);
  t.is(normTimes(r.stdout), [
    'extension: 1001',
    'name:      Ann Lee-Smith',
    'user:      -',
    'skills:    billing:9',
    'max chats: 2',
    'sip:       yes',
    `created:   ${TIME}`,
    `updated:   ${TIME}`,
    '',
  ].join('\n'));

  r = await runCli(['agents', 'delete', '1002'], env);
  t.is(r.code, 0);
  t.is(r.stdout, '');
  t.is(r.stderr, 'deleted agent 1002\n');
  t.deepEqual((await admin.agents.list()).map((a) => a.extension), ['1001']);
});

test('agents --json returns the objects, with a generated password exactly once', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.skills.create({ name: 'billing' });

  let r = await runCli(['agents', 'create', '1003', '--name', 'Cy', '--skill', 'billing=4', '--generate-password', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
  const created = JSON.parse(r.stdout) as Record<string, unknown>;
  t.regex(created['sipPassword'] as string, /^\S{12,}$/);
  const agent = {
    id: 1, extension: '1003', name: 'Cy', user: null, skills: { billing: 4 }, maxChats: 1, hasSipCredentials: true, createdAt: TIME, updatedAt: TIME,
  };
  t.deepEqual(normJson(created), { ...agent, sipPassword: created['sipPassword'] });

  r = await runCli(['agents', 'update', '1003', '--max-chats', '4', '--json'], env);
  t.deepEqual(normJson(JSON.parse(r.stdout)), { ...agent, maxChats: 4 });
  r = await runCli(['agents', 'delete', '1003', '--json'], env);
  t.is(r.code, 0);
  t.deepEqual(JSON.parse(r.stdout), { deleted: '1003' });
  t.is(r.stderr, '');
  t.deepEqual(await admin.agents.list(), []);
});

test('agents errors: conflict 6, usage 2, missing 5, no token 4', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.agents.create({ extension: '1001', name: 'Ann' });

  let r = await runCli(['agents', 'create', '1001', '--name', 'Again'], env);
  t.is(r.code, 6);
  t.is(r.stdout, '');
  t.regex(flat(r.stderr), /an agent with extension 1001 already exists/);
  t.regex(flat(r.stderr), /\/extension: already in use/);

  r = await runCli(['agents', 'create', '1001', '--name', 'Again', '--json'], env);
  t.is(r.code, 6);
  t.deepEqual(JSON.parse(r.stdout), {
    error: { code: 'conflict', message: 'an agent with extension 1001 already exists', details: [{ path: '/extension', message: 'already in use' }], status: 409, exitCode: 6 },
  });

  r = await runCli(['agents', 'create', '1002', '--name', 'Bob', '--frobnicate'], env);
  t.is(r.code, 2);
  t.regex(flat(r.stderr), /Nonexistent flag: --frobnicate/);

  r = await runCli(['agents', 'create', '1002', '--name', 'Bob', '--skill', 'billing'], env);
  t.is(r.code, 2);
  t.regex(flat(r.stderr), /--skill expects NAME=LEVEL \(e\.g\. billing=7\), got "billing"/);

  r = await runCli(['agents', 'delete', '9999', '--json'], env);
  t.is(r.code, 5);
  t.deepEqual(JSON.parse(r.stdout), { error: { code: 'not_found', message: 'agent "9999" does not exist', details: [], status: 404, exitCode: 5 } });

  r = await runCli(['agents', 'list'], { HOTLINE_URL: env['HOTLINE_URL']! });
  t.is(r.code, 4);
  t.regex(flat(r.stderr), /no API token/);
});
