/**
 * `hotline customers ...` against a real server: create/show/update/list/lookup/delete with --json,
 * notes and timeline, fields, duplicates and merge, import (dry run, bad rows, progress on stderr,
 * exit 7) and export (CSV and JSON, importing back), and role errors (exit 4).
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '../src/csv.js';
import { flat } from './helpers/normalize.js';
import { runCli } from './helpers/run-cli.js';
import { serverFor, tokenFor } from './helpers/server.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-cli-customers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('customers create, show, update, list, lookup, notes, timeline, delete (--json and tables)', async (t) => {
  const { admin, env, s } = await serverFor(t);
  await admin.customerFields.create({ name: 'score', type: 'number' });
  let r = await runCli(['customers', 'create', 'Ada Lovelace', '--company', 'Analytical Engines', '--phone', '(415) 555-0100', '--phone', '0049 30 1234567 x12',
    '--email', 'Ada@Example.com', '--vip', '3', '--tag', 'vip', '--language', 'en-gb', '--custom', 'score=9', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const ada = JSON.parse(r.stdout);
  t.like(ada, { name: 'Ada Lovelace', language: 'en-GB', vipLevel: 3, custom: { score: 9 }, emails: ['Ada@Example.com'] });
  t.deepEqual(ada.phones, [{ number: '+14155550100', ext: null, label: null }, { number: '+49301234567', ext: '12', label: null }]);

  r = await runCli(['customers', 'show', String(ada.id)], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^phones: +\+14155550100, \+49301234567 ext\. 12$/m);
  t.regex(r.stdout, /^custom\.score: +9$/m);

  r = await runCli(['customers', 'create', 'Bad', '--phone', '555-12'], env);
  t.is(r.code, 7);
  t.regex(r.stderr, /\/phones\/0: "555-12" is not a valid phone number/);

  r = await runCli(['customers', 'update', String(ada.id), '--vip', '5', '--custom', 'score=', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { vipLevel: 5, custom: {} });
  r = await runCli(['customers', 'update', String(ada.id)], env);
  t.is(r.code, 2, 'nothing to update');

  await admin.customers.create({ name: 'Bob Builder', company: 'Acme' });
  r = await runCli(['customers', 'list'], env);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.stdout.split('\n')[0]!.split(/\s+/), ['ID', 'NAME', 'COMPANY', 'PHONES', 'EMAILS', 'VIP', 'TAGS']);
  t.is(r.stdout.trim().split('\n').length, 3);
  r = await runCli(['customers', 'list', '--search', 'acme', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout).map((c: { name: string }) => c.name), ['Bob Builder']);

  r = await runCli(['customers', 'lookup', '415.555.0100', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { normalized: '+14155550100', customers: [{ id: ada.id }] });
  r = await runCli(['customers', 'lookup', 'ADA@example.COM'], env);
  t.regex(r.stdout, /Ada Lovelace/);

  const agentToken = await tokenFor(admin, 'agent-cli', 'agent');
  r = await runCli(['customers', 'notes', 'add', String(ada.id), 'wants a callback', '--json'], { ...env, HOTLINE_TOKEN: agentToken });
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { author: 'agent-cli', text: 'wants a callback' });
  r = await runCli(['customers', 'update', String(ada.id), '--vip', '1'], { ...env, HOTLINE_TOKEN: agentToken });
  t.is(r.code, 4, 'agents do not change customers');
  r = await runCli(['customers', 'notes', 'list', String(ada.id), '--json'], env);
  t.is(JSON.parse(r.stdout).length, 1);
  r = await runCli(['customers', 'timeline', String(ada.id)], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /note +note by agent-cli: wants a callback/);

  r = await runCli(['customers', 'delete', String(ada.id), '--json'], env);
  t.is(r.code, 0, r.stderr);
  r = await runCli(['customers', 'show', String(ada.id)], env);
  t.is(r.code, 5);
  t.truthy(s);
});

test('customers fields, duplicates and merge', async (t) => {
  const { admin, env } = await serverFor(t);
  let r = await runCli(['customers', 'fields', 'create', 'tier', '--type', 'enum', '--value', 'gold', '--value', 'silver', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { name: 'tier', type: 'enum', enumValues: ['gold', 'silver'], required: false });
  r = await runCli(['customers', 'fields', 'list'], env);
  t.regex(r.stdout, /^tier +enum +no +gold,silver/m);
  const a = await admin.customers.create({ name: 'Carl Jung', phones: ['+1 212 555 0100'], custom: { tier: 'gold' } });
  const b = await admin.customers.create({ name: 'C. Jung', phones: ['212-555-0100'], emails: ['carl@example.com'] });
  r = await runCli(['customers', 'duplicates', String(a.id), '--json'], env);
  t.deepEqual(JSON.parse(r.stdout).map((d: { customer: { id: number }; reasons: string[] }) => [d.customer.id, d.reasons]), [[b.id, ['phone +12125550100']]]);
  r = await runCli(['customers', 'merge', String(a.id), String(b.id), '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { id: a.id, name: 'Carl Jung', emails: ['carl@example.com'], custom: { tier: 'gold' } });
  r = await runCli(['customers', 'fields', 'delete', 'tier'], env);
  t.is(r.code, 0, r.stderr);
  t.deepEqual((await admin.customers.get(a.id)).custom, {});
});

test('customers import: dry run, bad rows reported with row and field (exit 7), progress on stderr, matching updates; export CSV and JSON import back', async (t) => {
  const { admin, env } = await serverFor(t);
  const dir = tempDir(t);
  await admin.customerFields.create({ name: 'score', type: 'number' });
  const existing = await admin.customers.create({ name: 'Existing', emails: ['old@example.com'] });
  const lines = ['name,company,phones,emails,tags,vipLevel,custom.score'];
  for (let i = 0; i < 25; i++) lines.push(`Person ${i},"Acme, Inc.",+1 212 555 ${String(1000 + i)},p${i}@example.com,a;b,${i % 6},${i}`);
  lines.push('Bad Row,,555-12,not-an-email,,9,x');
  lines.push('Existing Renamed,,,OLD@example.com,,,');
  const file = join(dir, 'in.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);

  let r = await runCli(['customers', 'import', file, '--dry-run', '--batch-size', '10'], env);
  t.is(r.code, 7, r.stderr);
  t.regex(r.stdout, /^dry run, nothing changed: would create 25, would update 1, failed 1 of 27 rows$/m);
  t.regex(r.stdout, /^row 26, phones\/0: "555-12" is not a valid phone number/m);
  t.regex(r.stdout, /^row 26, vipLevel: must be a whole number 0-5$/m);
  t.regex(r.stderr, /checked 10\/27 rows/);
  t.regex(r.stderr, /checked 27\/27 rows/);
  t.is((await admin.customers.list()).customers.length, 1);

  r = await runCli(['customers', 'import', file, '--json', '--batch-size', '10'], env);
  t.is(r.code, 7, r.stderr);
  const report = JSON.parse(r.stdout);
  t.like(report, { dryRun: false, created: 25, updated: 1, failed: 1 });
  t.is(report.rows.length, 27);
  t.deepEqual(report.rows[25].errors.map((e: { field: string }) => e.field), ['vipLevel', 'phones/0', 'emails/0', 'custom/score']);
  t.like(report.rows[26], { row: 27, action: 'update', customerId: existing.id, matchedBy: 'email old@example.com' });
  t.regex(r.stderr, /imported 27\/27 rows/, 'progress goes to stderr, never into the JSON');
  t.like(await admin.customers.get(existing.id), { name: 'Existing Renamed' });

  r = await runCli(['customers', 'export'], env);
  t.is(r.code, 0, r.stderr);
  const csv = parseCsv(r.stdout);
  t.deepEqual(csv[0], ['id', 'name', 'company', 'phones', 'emails', 'language', 'tags', 'vipLevel', 'preferredAgent', 'custom.score', 'createdAt', 'updatedAt']);
  t.is(csv.length, 27);
  t.deepEqual(csv[2]!.slice(1, 10), ['Person 0', 'Acme, Inc.', '+12125551000', 'p0@example.com', '', 'a; b', '0', '', '0']);
  writeFileSync(join(dir, 'out.csv'), r.stdout);
  r = await runCli(['customers', 'import', join(dir, 'out.csv'), '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { created: 0, updated: 26, failed: 0 });

  r = await runCli(['customers', 'export', '--format', 'json', '--output', join(dir, 'out.json')], env);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')).length, 26);
  r = await runCli(['customers', 'import', join(dir, 'out.json'), '--dry-run', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { dryRun: true, created: 0, updated: 26, failed: 0 });

  writeFileSync(join(dir, 'broken.csv'), 'name\n"unclosed\n');
  r = await runCli(['customers', 'import', join(dir, 'broken.csv')], env);
  t.is(r.code, 7);
  t.regex(flat(r.stderr), /broken\.csv: line 2: a quoted field starting on this line is not closed/);
  const auditorToken = await tokenFor(admin, 'auditor-cli', 'auditor');
  r = await runCli(['customers', 'import', file], { ...env, HOTLINE_TOKEN: auditorToken });
  t.is(r.code, 4, 'auditors change nothing');
});
