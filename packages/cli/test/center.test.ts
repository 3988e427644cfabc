import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '@hotline/server/testing';
import test, { type ExecutionContext } from 'ava';
import { parse, stringify } from 'yaml';
import { runCli } from './helpers/run-cli.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/center.yaml');

interface Ctx {
  s: TestServer;
  dir: string;
  env: Record<string, string>;
  /** Run the CLI in the temp dir (so file names print as given). */
  cli(...args: string[]): ReturnType<typeof runCli>;
  write(name: string, text: string): string;
  /** Everything a center file can change, plus the event cursor: equal before and after means nothing changed. */
  snapshot(): Promise<unknown>;
}

async function setup(t: ExecutionContext): Promise<Ctx> {
  const s = await startTestServer();
  const dir = mkdtempSync(join(tmpdir(), 'hotline-center-'));
  t.teardown(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = { HOTLINE_URL: s.url, HOTLINE_TOKEN: s.adminToken };
  return {
    s,
    dir,
    env,
    cli: (...args) => runCli(args, env, { cwd: dir }),
    write: (name, text) => {
      writeFileSync(join(dir, name), text);
      return name;
    },
    snapshot: async () => ({ center: await s.admin.center.export(), cursor: (await s.admin.status()).events.cursor }),
  };
}

const example = () => parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown> & {
  agents: Array<Record<string, unknown>>;
  queues: Array<Record<string, unknown> & { settings: Record<string, unknown> }>;
  dispositions: Array<{ code: string }>;
};

test('example: apply, plan says no changes, second apply changes nothing, export applies to a fresh server unchanged', async (t) => {
  const c = await setup(t);
  const first = await runCli(['apply', '-f', EXAMPLE], c.env);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /^\+ user maria\.lopez$/m);
  t.regex(first.stdout, /^\+ pause-reason lunch$/m);
  t.regex(first.stdout, /^\+ agent 1001$/m);
  t.regex(first.stdout, /^\+ queue billing$/m);
  t.regex(first.stdout, /^\+ member billing\/1005$/m);
  t.regex(first.stdout, /^\+ calendar office$/m);
  t.regex(first.stdout, /^\+ sla-policy urgent$/m);
  t.regex(first.stdout, /^\+ customer-field contract$/m);
  t.regex(first.stdout, /^\+ kb-category Billing\/Refunds$/m);
  t.regex(first.stdout, /^\+ rule missed-call-ticket$/m);
  t.regex(first.stdout, /^Apply complete: 43 created, 0 updated, 0 deleted\.$/m);
  t.is(first.stderr, '');

  const plan = await runCli(['plan', '-f', EXAMPLE, '--detailed-exitcode'], c.env);
  t.is(plan.code, 0, plan.stderr);
  t.is(plan.stdout, 'No changes. The server matches the file.\n');

  const again = await runCli(['apply', '-f', EXAMPLE], c.env);
  t.is(again.code, 0, again.stderr);
  t.is(again.stdout, 'No changes. The server matches the file.\nApply complete: 0 created, 0 updated, 0 deleted.\n');

  const agents = await c.s.admin.agents.list();
  t.is(agents.length, 6);
  t.is(agents.find((a) => a.extension === '1001')!.user, 'tom.becker');

  const exported = await c.cli('export', '-o', 'exported.yaml');
  t.is(exported.code, 0, exported.stderr);
  t.regex(exported.stderr, /^wrote exported\.yaml: 3 users, 4 skills, 3 pause reasons, 3 dispositions, 6 agents, 3 queues, 1 trunks, 2 numbers, 2 customer fields, 1 calendars, 2 SLA policies, 3 KB categories, 1 rules$/m);
  const text = readFileSync(join(c.dir, 'exported.yaml'), 'utf8');
  t.true(text.startsWith(`# Hotline center file, exported by \`hotline export\` from ${c.s.url}.\n`));
  t.regex(text, /^# Secrets are not included/m);
  const stdout = await c.cli('export');
  t.is(stdout.stdout, text, 'export to stdout and to a file are the same, and stable');

  const plan2 = await c.cli('plan', '-f', 'exported.yaml', '--detailed-exitcode');
  t.is(plan2.code, 0, plan2.stdout + plan2.stderr);

  const b = await startTestServer();
  t.teardown(() => b.stop());
  const envB = { HOTLINE_URL: b.url, HOTLINE_TOKEN: b.adminToken };
  const applyB = await runCli(['apply', '-f', join(c.dir, 'exported.yaml')], envB);
  t.is(applyB.code, 0, applyB.stderr);
  t.regex(applyB.stdout, /^Apply complete: 43 created, 0 updated, 0 deleted\.$/m);
  const exportB = await runCli(['export'], envB);
  t.is(exportB.code, 0);
  t.is(exportB.stdout.replace(b.url, 'URL'), text.replace(c.s.url, 'URL'));

  const jsonA = JSON.parse((await c.cli('export', '--json')).stdout) as unknown;
  const jsonB = JSON.parse((await runCli(['export', '--json'], envB)).stdout) as unknown;
  t.deepEqual(jsonA, jsonB);
  t.deepEqual(parse(text), jsonA);
});

test('plan: terraform-like changes, unmanaged note, --prune and --detailed-exitcode; apply --prune deletes', async (t) => {
  const c = await setup(t);
  t.is((await runCli(['apply', '-f', EXAMPLE], c.env)).code, 0);
  const file = example();
  file.agents.push({ extension: '1007', name: 'Nina Park', skills: { english: 6 } });
  const support = file.queues.find((q) => q.name === 'support')!;
  support['strategy'] = 'ring-all';
  support.settings['ringTimeoutSeconds'] = 20;
  file.dispositions = file.dispositions.filter((d) => d.code !== 'escalated');
  c.write('changed.yaml', stringify(file));

  const plan = await c.cli('plan', '-f', 'changed.yaml', '--detailed-exitcode');
  t.is(plan.code, 10, plan.stderr);
  t.is(
    plan.stdout,
    [
      '+ agent 1007',
      '~ queue support',
      '    strategy: longest-idle -> ring-all',
      '    settings.ringTimeoutSeconds: 15 -> 20',
      '',
      'Plan: 1 to create, 1 to update, 0 to delete.',
      '',
    ].join('\n'),
  );
  t.is(plan.stderr, '1 object on the server is not in the file (kept; --prune deletes them): disposition escalated\n');

  const pruned = await c.cli('plan', '-f', 'changed.yaml', '--prune');
  t.is(pruned.code, 0, 'without --detailed-exitcode changes still exit 0');
  t.regex(pruned.stdout, /^- disposition escalated$/m);
  t.regex(pruned.stdout, /^Plan: 1 to create, 1 to update, 1 to delete\.$/m);
  t.is(pruned.stderr, '');

  const json = await c.cli('plan', '-f', 'changed.yaml', '--json', '--detailed-exitcode');
  t.is(json.code, 10);
  const p = JSON.parse(json.stdout) as { changes: Array<{ action: string; kind: string; key: string }>; summary: object; unmanaged: unknown[] };
  t.deepEqual(p.summary, { create: 1, update: 1, delete: 0 });
  t.deepEqual(p.unmanaged, [{ kind: 'disposition', key: 'escalated' }]);

  t.is((await c.s.admin.dispositions.list()).length, 3, 'plan changed nothing');
  const apply = await c.cli('apply', '-f', 'changed.yaml', '--prune');
  t.is(apply.code, 0, apply.stderr);
  t.regex(apply.stdout, /^~ queue support\n {4}strategy: longest-idle -> ring-all$/m);
  t.regex(apply.stdout, /^Apply complete: 1 created, 1 updated, 1 deleted\.$/m);
  t.deepEqual((await c.s.admin.dispositions.list()).map((d) => d.code).sort(), ['callback', 'resolved']);
  t.is((await c.s.admin.queues.get('support')).strategy, 'ring-all');
  t.is((await c.cli('plan', '-f', 'changed.yaml', '--prune', '--detailed-exitcode')).code, 0);
});

test('malformed YAML: file:line:column, exit 7, nothing sent', async (t) => {
  const c = await setup(t);
  const before = await c.snapshot();
  c.write('dup-key.yaml', 'apiVersion: hotline/v1\nkind: Center\nskills:\n  - name: english\n    name: german\n');
  const dup = await c.cli('apply', '-f', 'dup-key.yaml');
  t.is(dup.code, 7);
  t.is(dup.stdout, '');
  t.regex(dup.stderr, /^dup-key\.yaml:5:5: Map keys must be unique/m);
  t.regex(dup.stderr, /^Error: dup-key\.yaml: not valid YAML; nothing was sent to the server$/m);

  c.write('indent.yaml', 'apiVersion: hotline/v1\nkind: Center\nskills:\n  - name: english\n   description: bad indent\n');
  const indent = await c.cli('plan', '-f', 'indent.yaml');
  t.is(indent.code, 7);
  t.regex(indent.stderr, /^indent\.yaml:5:\d+: /m);

  c.write('list.yaml', '- just\n- a list\n');
  const list = await c.cli('apply', '-f', 'list.yaml');
  t.is(list.code, 7);
  t.regex(list.stderr, /^list\.yaml:1:1: \/: a center file is a mapping/m);

  const missing = await c.cli('apply', '-f', 'nope.yaml');
  t.is(missing.code, 7);
  t.is(missing.stderr, 'Error: cannot read nope.yaml: no such file\n');

  const json = await c.cli('plan', '-f', 'dup-key.yaml', '--json');
  t.is(json.code, 7);
  const err = (JSON.parse(json.stdout) as { error: { code: string; details: Array<{ line: number; column: number }> } }).error;
  t.is(err.code, 'invalid_yaml');
  t.like(err.details[0], { line: 5, column: 5 });
  t.deepEqual(await c.snapshot(), before);
});

test('invalid fields: unknown field, wrong type and out-of-range values are reported at their line, nothing applied', async (t) => {
  const c = await setup(t);
  const before = await c.snapshot();
  c.write(
    'bad.yaml',
    [
      'apiVersion: hotline/v1', //  1
      'kind: Center', //            2
      'skills:', //                 3
      '  - name: english', //       4
      'agents:', //                 5
      '  - extension: 2001', //     6  a number, not a string
      '    name: Ann', //           7
      '    colour: red', //         8  unknown field
      '  - extension: "2002"', //   9
      '    name: Bob', //          10
      '    skills: { english: 11 }', // 11
      'queues:', //                12
      '  - name: q1', //           13
      '    strategy: fastest', //  14
      '',
    ].join('\n'),
  );
  const r = await c.cli('apply', '-f', 'bad.yaml');
  t.is(r.code, 7);
  t.is(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  t.deepEqual(lines.slice(0, -1).sort(), [
    'bad.yaml:11:24: /agents/1/skills/english: must be <= 10',
    'bad.yaml:14:15: /queues/0/strategy: must be one of ["ring-all","longest-idle","round-robin","fewest-calls","least-recent","random","linear","skills-weighted"]',
    'bad.yaml:6:16: /agents/0/extension: must be string',
    'bad.yaml:8:5: /agents/0/colour: unknown field',
  ]);
  t.is(lines.at(-1), 'Error: bad.yaml: 4 problems; nothing was changed');

  c.write('refs.yaml', 'apiVersion: hotline/v1\nkind: Center\nagents:\n  - extension: "2001"\n    name: Ann\n    user: ghost\n    skills:\n      klingon: 3\n');
  const refs = await c.cli('plan', '-f', 'refs.yaml');
  t.is(refs.code, 7);
  t.regex(refs.stderr, /^refs\.yaml:6:11: \/agents\/0\/user: unknown user "ghost"$/m);
  t.regex(refs.stderr, /^refs\.yaml:8:7: \/agents\/0\/skills\/klingon: unknown skill$/m);

  c.write('nokind.yaml', 'apiVersion: hotline/v2\nagents: []\n');
  const nokind = await c.cli('plan', '-f', 'nokind.yaml');
  t.is(nokind.code, 7);
  t.regex(nokind.stderr, /^nokind\.yaml:1:1: \/kind: is required$/m);
  t.regex(nokind.stderr, /^nokind\.yaml:1:13: \/apiVersion: must be one of \["hotline\/v1"\]$/m);
  t.deepEqual(await c.snapshot(), before);
});

test('a duplicate extension in the file is reported at the second entry', async (t) => {
  const c = await setup(t);
  const before = await c.snapshot();
  c.write('dup.yaml', 'apiVersion: hotline/v1\nkind: Center\nagents:\n  - extension: "2001"\n    name: Ann\n  - extension: "2001"\n    name: Bob\n');
  const r = await c.cli('apply', '-f', 'dup.yaml');
  t.is(r.code, 7);
  t.is(r.stderr, 'dup.yaml:6:5: /agents/1: duplicate agent "2001" (also at /agents/0)\nError: dup.yaml: 1 problem; nothing was changed\n');
  t.deepEqual(await c.snapshot(), before);
});

test('atomic: a file whose last change fails on the server leaves the server unchanged', async (t) => {
  const c = await setup(t);
  const before = await c.snapshot();
  // Everything is created first; deleting the only admin (by --prune, last) is refused by the server.
  const file = example();
  c.write('no-admin.yaml', stringify({ ...file, users: [{ name: 'maria.lopez', role: 'supervisor' }, { name: 'tom.becker', role: 'agent' }] }));
  const plan = await c.cli('plan', '-f', 'no-admin.yaml', '--prune', '--json');
  const changes = (JSON.parse(plan.stdout) as { changes: Array<{ action: string; kind: string; key: string }> }).changes;
  t.true(changes.length > 20);
  t.deepEqual(changes.at(-1), { action: 'delete', kind: 'user', key: 'admin', fields: [] });

  const r = await c.cli('apply', '-f', 'no-admin.yaml', '--prune');
  t.is(r.code, 6, r.stderr);
  t.regex(r.stderr, /^Error: .*admin/m);
  t.regex(r.stderr, /^nothing was changed: the file is applied whole or not at all$/m);
  t.deepEqual(await c.snapshot(), before);
  t.is((await c.s.admin.agents.list()).length, 0);
});

test('auth and connection failures keep their exit codes', async (t) => {
  const c = await setup(t);
  const noToken = await runCli(['plan', '-f', EXAMPLE], { HOTLINE_URL: c.s.url });
  t.is(noToken.code, 4);
  const agent = await c.s.clientFor('agent');
  const forbidden = await runCli(['apply', '-f', EXAMPLE], { HOTLINE_URL: c.s.url, HOTLINE_TOKEN: agent.token });
  t.is(forbidden.code, 4, forbidden.stderr);
  const down = await runCli(['export'], { HOTLINE_URL: 'http://127.0.0.1:1', HOTLINE_TOKEN: 'x' });
  t.is(down.code, 3);
});

test('apply -f - reads the file from stdin', async (t) => {
  const c = await setup(t);
  const r = await runCli(['apply', '-f', '-'], c.env, { input: 'apiVersion: hotline/v1\nkind: Center\nskills:\n  - name: english\n' });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '+ skill english\n\nApply complete: 1 created, 0 updated, 0 deleted.\n');
});

test('docs/center.schema.json is generated from the server schema and up to date', async (t) => {
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/center-schema.mjs'), '--check'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  t.is(r.code, 0, r.stderr);
  const schema = JSON.parse(readFileSync(join(ROOT, 'docs/center.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
  t.deepEqual(Object.keys(schema.properties), ['apiVersion', 'kind', 'users', 'skills', 'pauseReasons', 'dispositions', 'agents', 'queues', 'trunks', 'numbers', 'customerFields', 'calendars', 'slaPolicies', 'kbCategories', 'rules']);
});
