import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from '@hotline/server/testing';
import test, { type ExecutionContext } from 'ava';
import { runCli } from './helpers/run-cli.js';

/** A fresh XDG_CONFIG_HOME: profiles land in <it>/hotline/profiles.json. */
function xdg(t: ExecutionContext): { env: { XDG_CONFIG_HOME: string }; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-login-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { env: { XDG_CONFIG_HOME: dir }, file: join(dir, 'hotline', 'profiles.json') };
}

test('login --token-file saves a 0600 profile; later commands need no token; logout forgets it', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.stop());
  const x = xdg(t);
  const tokenFile = join(s.dataDir, 'admin.token');

  const login = await runCli(['login', '--server', s.url, '--token-file', tokenFile], x.env);
  t.is(login.code, 0, login.stderr);
  t.is(login.stdout, `Logged in to ${s.url} as admin (Administrator), role admin.\n`);
  t.is(login.stderr, `saved as profile "default" (current) in ${x.file}\n`);
  t.is(statSync(x.file).mode & 0o777, 0o600);
  t.is(statSync(join(x.env.XDG_CONFIG_HOME, 'hotline')).mode & 0o777, 0o700);
  const saved = JSON.parse(readFileSync(x.file, 'utf8')) as { current: string; profiles: Record<string, { url: string; token: string }> };
  t.deepEqual(saved, { current: 'default', profiles: { default: { url: s.url, token: s.adminToken } } });

  const agents = await runCli(['agents', 'list', '--json'], x.env);
  t.is(agents.code, 0, agents.stderr);
  t.deepEqual(JSON.parse(agents.stdout), []);
  const status = await runCli(['server', 'status', '--json'], x.env);
  t.is(status.code, 0, status.stderr);

  const list = await runCli(['profiles', 'list'], x.env);
  t.is(list.code, 0);
  const publicPart = s.adminToken.split('_').slice(0, 2).join('_');
  t.is(list.stdout, `   NAME     SERVER${' '.repeat(s.url.length - 6 + 2)}TOKEN\n*  default  ${s.url}  ${publicPart}_…\n`);
  t.false(list.stdout.includes(s.adminToken));
  const listJson = JSON.parse((await runCli(['profiles', 'list', '--json'], x.env)).stdout) as unknown;
  t.deepEqual(listJson, [{ name: 'default', current: true, server: s.url, token: `${publicPart}_…` }]);

  const logout = await runCli(['logout'], x.env);
  t.is(logout.code, 0);
  t.is(logout.stdout, 'Logged out: removed profile "default".\n');
  t.deepEqual(JSON.parse(readFileSync(x.file, 'utf8')), { profiles: {} });
  t.is((await runCli(['agents', 'list'], x.env)).code, 4, 'no token any more');
  const again = await runCli(['logout'], x.env);
  t.is(again.code, 0);
  t.is(again.stdout, 'Not logged in: there is no profile "default".\n');
  t.is((await runCli(['profiles', 'list'], x.env)).stdout, '(no profiles; run `hotline login`)\n');
});

test('login reads the token from stdin when piped, and --json reports a masked token', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.stop());
  const x = xdg(t);
  const supervisor = await s.clientFor('supervisor', 'sam');
  const r = await runCli(['login', '--server', s.url, '--profile', 'ops', '--json'], x.env, { input: `${supervisor.token}\n` });
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { profile: string; user: { name: string; role: string }; token: string; server: string };
  t.like(out, { profile: 'ops', server: s.url, user: { name: 'sam', role: 'supervisor' } });
  t.regex(out.token, /^hlt_[A-Za-z0-9]+_…$/);
  t.false(r.stdout.includes(supervisor.token));

  // A second profile; `--profile` picks it, the current one is the last login.
  const admin = await runCli(['login', '--server', s.url, '--token', s.adminToken], x.env);
  t.is(admin.code, 0, admin.stderr);
  const me = await runCli(['agents', 'list', '--profile', 'ops', '--json'], x.env);
  t.is(me.code, 0, me.stderr);
  const rows = await runCli(['profiles', 'list', '--json'], x.env);
  t.deepEqual((JSON.parse(rows.stdout) as Array<{ name: string; current: boolean }>).map((p) => [p.name, p.current]), [['default', true], ['ops', false]]);
  const gone = await runCli(['logout', '--profile', 'ops'], x.env);
  t.is(gone.code, 0);
  t.is((await runCli(['agents', 'list', '--profile', 'ops'], x.env)).code, 2, 'an unknown profile is a usage error');
});

test('a rejected token exits 4 and saves nothing; an existing profile is left alone', async (t) => {
  const s = await startTestServer();
  t.teardown(() => s.stop());
  const x = xdg(t);
  const bad = await runCli(['login', '--server', s.url, '--token', 'hlt_nope_nope'], x.env);
  t.is(bad.code, 4, bad.stderr);
  t.regex(bad.stderr, /rejected the token .*nothing was saved/);
  t.false(existsSync(x.file));

  t.is((await runCli(['login', '--server', s.url, '--token', s.adminToken], x.env)).code, 0);
  const before = readFileSync(x.file, 'utf8');
  const file = join(x.env.XDG_CONFIG_HOME, 'bad.token');
  writeFileSync(file, 'hlt_abc_def\n');
  const bad2 = await runCli(['login', '--server', s.url, '--token-file', file], x.env);
  t.is(bad2.code, 4);
  t.is(readFileSync(x.file, 'utf8'), before);

  const empty = await runCli(['login', '--server', s.url], x.env);
  t.is(empty.code, 2, 'no token at all (stdin is empty)');
  t.regex(empty.stderr, /no API token/);
  const down = await runCli(['login', '--server', 'http://127.0.0.1:1', '--token', s.adminToken], x.env);
  t.is(down.code, 3);
  t.is(readFileSync(x.file, 'utf8'), before);
});
