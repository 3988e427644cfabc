import { ApiError, HotlineClient } from '@hotline/server/client';
import test from 'ava';
import { normJson, normTimes, TIME } from './helpers/normalize.js';
import { runCli } from './helpers/run-cli.js';
import { serverFor } from './helpers/server.js';

test('users create, list, show, update (disable/enable, role) and delete', async (t) => {
  const { admin, env } = await serverFor(t);

  let r = await runCli(['users', 'create', 'ann', '--role', 'agent', '--display-name', 'Ann Lee'], env);
  t.is(r.code, 0, r.stderr);
  t.is(normTimes(r.stdout), `name:         ann\ndisplay name: Ann Lee\nrole:         agent\nstatus:       enabled\ncreated:      ${TIME}\nupdated:      ${TIME}\n`);

  r = await runCli(['users', 'update', 'ann', '--disable'], env);
  t.is(normTimes(r.stdout), `name:         ann\ndisplay name: Ann Lee\nrole:         agent\nstatus:       disabled\ncreated:      ${TIME}\nupdated:      ${TIME}\n`);

  r = await runCli(['users', 'list'], env);
  t.is(r.stdout, 'NAME   DISPLAY NAME   ROLE   STATUS\nadmin  Administrator  admin  enabled\nann    Ann Lee        agent  disabled\n');

  r = await runCli(['users', 'update', 'ann', '--enable', '--role', 'supervisor', '--json'], env);
  const ann = { id: 2, name: 'ann', displayName: 'Ann Lee', role: 'supervisor', disabled: false, createdAt: TIME, updatedAt: TIME };
  t.deepEqual(normJson(JSON.parse(r.stdout)), ann);

  r = await runCli(['users', 'show', 'ann', '--json'], env);
  t.deepEqual(normJson(JSON.parse(r.stdout)), ann);

  r = await runCli(['users', 'delete', 'ann', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout), { deleted: 'ann' });
  t.deepEqual((await admin.users.list()).map((u) => u.name), ['admin']);
});

test('tokens create prints the token once and it works; list; revoke stops it', async (t) => {
  const { s, admin, env } = await serverFor(t);
  await admin.users.create({ name: 'ann', role: 'agent' });

  let r = await runCli(['tokens', 'create', '--name', 'laptop', '--user', 'ann', '--expires-in-days', '30'], env);
  t.is(r.code, 0, r.stderr);
  const token = r.stdout.trimEnd();
  t.regex(r.stdout, /^hlt_\S+\n$/);
  const [created] = (await admin.tokens.list('ann'));
  t.truthy(created);
  t.true(token.startsWith(`hlt_${created!.id}`));
  t.is(normTimes(r.stderr), `created token ${created!.id} (laptop) for user ann, expires ${TIME}; it is shown only this once, store it now\n`);
  const annClient = new HotlineClient({ url: s.url, token });
  t.is((await annClient.me()).user.name, 'ann');

  r = await runCli(['tokens', 'list', '--user', 'ann'], env);
  t.is(normTimes(r.stdout), [
    `ID${' '.repeat(created!.id.length)}NAME    USER  STATUS  CREATED                   EXPIRES                   LAST USED`,
    `${created!.id}  laptop  ann   active  ${TIME}  ${TIME}  ${TIME}`,
    '',
  ].join('\n'));

  r = await runCli(['tokens', 'create', '--json'], { ...env, HOTLINE_TOKEN: token });
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
  const own = JSON.parse(r.stdout) as Record<string, string>;
  t.deepEqual(normJson({ ...own, id: '<id>', token: '<token>' }), {
    id: '<id>', name: 'cli', user: 'ann', createdAt: TIME, expiresAt: null, lastUsedAt: null, revokedAt: null, token: '<token>',
  });
  t.true(own['token']!.startsWith(`hlt_${own['id']}`));

  r = await runCli(['tokens', 'revoke', created!.id], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '');
  t.is(r.stderr, `revoked token ${created!.id} (laptop) of user ann\n`);
  const err = await t.throwsAsync(annClient.me(), { instanceOf: ApiError });
  t.is(err?.status, 401);

  r = await runCli(['tokens', 'list', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout).map((x: { name: string; user: string; revokedAt: string | null }) => [x.name, x.user, x.revokedAt !== null]), [
    ['bootstrap', 'admin', false],
    ['laptop', 'ann', true],
    ['cli', 'ann', false],
  ]);
});
