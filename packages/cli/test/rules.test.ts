/**
 * `hotline rules ...` against a real server: create from a JSON file (bad rule: exit 7 with paths),
 * list, show, update, disable/enable, the dry run `rules test --event` (prints rendered actions and
 * changes nothing), delete, and role errors (supervisors test but do not write: exit 4).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runCli } from './helpers/run-cli.js';
import { serverFor, tokenFor } from './helpers/server.js';

test('rules: create, list, show, update, disable/enable, test (dry run), delete; roles', async (t) => {
  const { admin, env } = await serverFor(t);
  const dir = mkdtempSync(join(tmpdir(), 'hotline-rules-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, value: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(value));
    return p;
  };
  const rule = {
    name: 'long-calls', trigger: 'call.ended',
    conditions: [{ field: 'payload.durationSeconds', op: 'gt', value: 30 }],
    actions: [{ type: 'create_ticket', subject: 'Call from {{payload.from}}', priority: 'high' }],
  };
  let r = await runCli(['rules', 'create', file('bad.json', { ...rule, name: 'bad', actions: [{ type: 'update_ticket' }] })], env);
  t.is(r.code, 7);
  t.regex(r.stderr, /\/actions\/0/);
  r = await runCli(['rules', 'create', join(dir, 'missing.json')], env);
  t.is(r.code, 7);
  r = await runCli(['rules', 'create', file('rule.json', rule), '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { name: 'long-calls', enabled: true, triggerKind: 'event' });
  r = await runCli(['rules', 'list'], env);
  t.regex(r.stdout, /^1 +long-calls +yes +call\.ended +1 +create_ticket$/m);
  r = await runCli(['rules', 'show', 'long-calls'], env);
  t.regex(r.stdout, /condition 1: +payload\.durationSeconds gt 30/);

  const event = file('event.json', { type: 'call.ended', subjectType: 'call', subjectId: 'c-1', payload: { from: '+14155550100', durationSeconds: 42 } });
  const supToken = await tokenFor(admin, 'sup-rules', 'supervisor');
  r = await runCli(['rules', 'test', 'long-calls', '--event', event], { ...env, HOTLINE_TOKEN: supToken });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /would run: +true/);
  t.regex(r.stdout, /action 1: +create_ticket \{"subject":"Call from \+14155550100","priority":"high"\}/);
  r = await runCli(['rules', 'test', 'long-calls', '--event', event, '--json'], env);
  t.like(JSON.parse(r.stdout), { wouldRun: true, actions: [{ type: 'create_ticket', params: { subject: 'Call from +14155550100' } }] });
  t.is((await admin.tickets.list()).tickets.length, 0, 'the dry run created nothing');
  t.is((await runCli(['rules', 'disable', 'long-calls'], { ...env, HOTLINE_TOKEN: supToken })).code, 4);

  r = await runCli(['rules', 'update', 'long-calls', file('patch.json', { trigger: 'call.*' }), '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).trigger, 'call.*');
  r = await runCli(['rules', 'disable', 'long-calls', '--json'], env);
  t.false(JSON.parse(r.stdout).enabled);
  r = await runCli(['rules', 'enable', 'long-calls', '--json'], env);
  t.true(JSON.parse(r.stdout).enabled);
  t.is((await runCli(['rules', 'delete', 'long-calls'], env)).code, 0);
  t.is((await runCli(['rules', 'show', 'long-calls'], env)).code, 5);
});
