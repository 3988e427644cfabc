/**
 * `hotline calendars ...`, `hotline sla-policies ...` and `hotline tickets ...` against a real server:
 * create/list/show with --json and tables, the --hours syntax, update, comment (internal, public,
 * customer reply), assign, status (409 -> exit 6 naming the allowed targets), history, SLA clocks in
 * `tickets show`, and role errors (exit 4); attachments (upload, list, download checked by SHA-256,
 * delete), tickets from calls (`create --call`, the call in `show`), `sla-policies update|show` and
 * `calendars update`.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/run-cli.js';
import { serverFor, tokenFor } from './helpers/server.js';

test('calendars and sla-policies: create (--hours syntax), list, show, delete', async (t) => {
  const { env } = await serverFor(t);
  let r = await runCli(['calendars', 'create', 'berlin', '--time-zone', 'Europe/Berlin', '--hours', 'mon-fri 9:00-12:00,13:00-17:00', '--hours', 'sat 10:00-14:00',
    '--holiday', '2026-12-25', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const cal = JSON.parse(r.stdout);
  t.deepEqual(cal.hours.mon, [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }]);
  t.deepEqual(cal.hours.sat, [{ start: '10:00', end: '14:00' }]);
  t.is(cal.hours.sun, undefined);
  t.deepEqual(cal.holidays, ['2026-12-25']);
  r = await runCli(['calendars', 'create', 'x', '--time-zone', 'Europe/Berlin', '--hours', 'mon-xyz 09:00-17:00'], env);
  t.is(r.code, 2, 'bad --hours is a usage error');
  r = await runCli(['calendars', 'create', 'x', '--time-zone', 'Nowhere/Land', '--hours', 'mon 22:00-06:00'], env);
  t.is(r.code, 7);
  t.regex(r.stderr, /unknown IANA time zone/);
  t.regex(r.stderr, /never spans midnight/);
  r = await runCli(['calendars', 'list'], env);
  t.regex(r.stdout, /^berlin +Europe\/Berlin +mon 09:00-12:00,13:00-17:00; .*sat 10:00-14:00 +1$/m);
  r = await runCli(['calendars', 'show', 'berlin'], env);
  t.regex(r.stdout, /^sun: +closed$/m);

  r = await runCli(['sla-policies', 'create', 'standard', '--calendar', 'berlin', '--priority', 'normal', '--priority', 'high', '--first-response', '60',
    '--resolution', '480', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { name: 'standard', calendar: 'berlin', priorities: ['normal', 'high'], nextResponseMinutes: null });
  r = await runCli(['sla-policies', 'list'], env);
  t.regex(r.stdout, /^standard +berlin +normal,high +60m +- +480m$/m);
  r = await runCli(['calendars', 'delete', 'berlin'], env);
  t.is(r.code, 6, 'in use');
  t.is((await runCli(['sla-policies', 'delete', 'standard'], env)).code, 0);
  t.is((await runCli(['calendars', 'delete', 'berlin', '--json'], env)).code, 0);
  r = await runCli(['calendars', 'list', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout), []);
});

test('tickets create, list, show, update, comment, assign, status, history; agents and auditors', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.agents.create({ extension: '1001', name: 'Alice' });
  const c = await admin.customers.create({ name: 'Ada' });
  let r = await runCli(['tickets', 'create', 'Refund request', '--customer', String(c.id), '--priority', 'high', '--tag', 'billing', '--description', 'charged twice', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const tk = JSON.parse(r.stdout);
  t.like(tk, { subject: 'Refund request', status: 'new', priority: 'high', channel: 'manual', customerId: c.id, tags: ['billing'] });
  r = await runCli(['tickets', 'create', 'x', '--assignee', '9999'], env);
  t.is(r.code, 7);
  t.regex(r.stderr, /\/assignee: agent "9999" does not exist/);

  r = await runCli(['tickets', 'list'], env);
  t.deepEqual(r.stdout.split('\n')[0]!.trim().split(/\s+/), ['ID', 'STATUS', 'PRIORITY', 'ASSIGNEE', 'GROUP', 'CUSTOMER', 'SUBJECT']);
  t.regex(r.stdout, new RegExp(`^${tk.id} +new +high +- +- +${c.id} +Refund request$`, 'm'));
  r = await runCli(['tickets', 'list', '--status', 'open', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout), []);

  r = await runCli(['tickets', 'update', String(tk.id), '--priority', 'urgent', '--json'], env);
  t.is(JSON.parse(r.stdout).priority, 'urgent');
  t.is((await runCli(['tickets', 'update', String(tk.id)], env)).code, 2, 'nothing to update');
  r = await runCli(['tickets', 'comment', String(tk.id), 'checked the invoice'], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^visibility: +internal$/m);
  r = await runCli(['tickets', 'comment', String(tk.id), 'We refunded you.', '--public', '--json'], env);
  t.like(JSON.parse(r.stdout), { public: true, fromCustomer: false, author: 'admin' });
  r = await runCli(['tickets', 'assign', String(tk.id), '1001', '--json'], env);
  t.is(JSON.parse(r.stdout).assignee, '1001');
  r = await runCli(['tickets', 'status', String(tk.id), 'resolved', '--json'], env);
  t.is(JSON.parse(r.stdout).status, 'resolved');
  r = await runCli(['tickets', 'status', String(tk.id), 'pending'], env);
  t.is(r.code, 6);
  t.regex(r.stderr, /cannot go from resolved to pending: allowed: open, closed/);
  r = await runCli(['tickets', 'status', String(tk.id), 'bogus'], env);
  t.is(r.code, 2);

  r = await runCli(['tickets', 'show', String(tk.id)], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^status: +resolved$/m);
  t.regex(r.stdout, /^comment \d+: +\S+ admin \(public\): We refunded you\.$/m);
  r = await runCli(['tickets', 'show', String(tk.id), '--json'], env);
  t.is(JSON.parse(r.stdout).comments.length, 2);

  r = await runCli(['tickets', 'history', String(tk.id), '--json'], env);
  const fields = JSON.parse(r.stdout).map((h: { field: string }) => h.field);
  t.deepEqual(fields.slice(-5), ['priority', 'comment', 'comment', 'assignee', 'status']);
  r = await runCli(['tickets', 'history', String(tk.id)], env);
  t.regex(r.stdout, /admin +status +new +resolved$/m);

  const agentToken = await tokenFor(admin, 'agent-tk', 'agent');
  r = await runCli(['tickets', 'update', String(tk.id), '--priority', 'low'], { ...env, HOTLINE_TOKEN: agentToken });
  t.is(r.code, 4, 'assigned to someone else');
  r = await runCli(['tickets', 'create', 'From an agent', '--json'], { ...env, HOTLINE_TOKEN: agentToken });
  t.is(r.code, 0, r.stderr);
  const auditorToken = await tokenFor(admin, 'auditor-tk', 'auditor');
  t.is((await runCli(['tickets', 'comment', String(tk.id), 'x'], { ...env, HOTLINE_TOKEN: auditorToken })).code, 4);
  t.is((await runCli(['tickets', 'list', '--json'], { ...env, HOTLINE_TOKEN: auditorToken })).code, 0);
});

test('tickets attachments upload, list, download, delete; create --call; show with call and attachments', async (t) => {
  const { s, admin, env } = await serverFor(t);
  const dir = mkdtempSync(join(tmpdir(), 'hotline-cli-att-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const c = await admin.customers.create({ name: 'Ada', phones: ['+4930123456'] });
  const at = new Date('2026-05-04T09:00:00Z');
  // A call record as the B2BUA writes it (the CLI package does not import the server's entities: the table by name).
  await s.server.services.store.writer.run((tx) => tx.em.insert('calls', {
    id: 'cli-call-1', fromExt: '004930123456', toExt: '1001', direction: 'inbound', state: 'ended', startedAt: at, ringingAt: at, answeredAt: at, endedAt: at,
    hangupBy: 'caller', status: 200, reason: null, trunk: null,
  }));

  let r = await runCli(['tickets', 'create', '--call', 'cli-call-1', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const tk = JSON.parse(r.stdout);
  t.like(tk, { subject: 'Call from 004930123456', channel: 'phone', customerId: c.id, sourceCallId: 'cli-call-1' });
  r = await runCli(['tickets', 'create', '--call', 'no-such-call'], env);
  t.is(r.code, 5, 'unknown call: not found');
  r = await runCli(['tickets', 'create'], env);
  t.is(r.code, 2, 'neither a subject nor --call');

  writeFileSync(join(dir, 'notes.txt'), 'router blinks red\n');
  r = await runCli(['tickets', 'attachments', 'upload', String(tk.id), join(dir, 'notes.txt'), '--json'], env);
  t.is(r.code, 0, r.stderr);
  const att = JSON.parse(r.stdout);
  t.like(att, { ticketId: tk.id, name: 'notes.txt', contentType: 'text/plain', size: 18, createdBy: 'admin' });
  r = await runCli(['tickets', 'attachments', 'upload', String(tk.id), join(dir, 'missing.txt')], env);
  t.is(r.code, 2);
  r = await runCli(['tickets', 'attachments', 'list', String(tk.id)], env);
  t.regex(r.stdout, new RegExp(`^${att.id} +notes\\.txt +text/plain +18 +admin `, 'm'));
  r = await runCli(['tickets', 'attachments', 'download', String(tk.id), String(att.id), '-o', join(dir, 'back.txt'), '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { size: 18, sha256: att.sha256 });
  t.is(readFileSync(join(dir, 'back.txt'), 'utf8'), 'router blinks red\n');

  r = await runCli(['tickets', 'show', String(tk.id)], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^source call: +cli-call-1$/m);
  t.regex(r.stdout, /^call: +inbound 004930123456 -> 1001, ended, started 2026-05-04T09:00:00.000Z/m);
  t.regex(r.stdout, new RegExp(`^attachment ${att.id}: +notes\\.txt \\(text/plain, 18 bytes\\) by admin$`, 'm'));
  r = await runCli(['tickets', 'show', String(tk.id), '--json'], env);
  t.like(JSON.parse(r.stdout), { call: { id: 'cli-call-1' }, attachments: [{ id: att.id }] });
  const agentToken = await tokenFor(admin, 'agent-att', 'agent');
  r = await runCli(['tickets', 'show', String(tk.id), '--json'], { ...env, HOTLINE_TOKEN: agentToken });
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { sourceCallId: 'cli-call-1', call: null }, 'agents do not read call records');
  t.is((await runCli(['tickets', 'attachments', 'delete', String(tk.id), String(att.id)], { ...env, HOTLINE_TOKEN: agentToken })).code, 4, 'not the uploader');

  r = await runCli(['tickets', 'attachments', 'delete', String(tk.id), String(att.id), '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), { deleted: String(att.id), ticket: String(tk.id) });
  r = await runCli(['tickets', 'attachments', 'list', String(tk.id), '--json'], env);
  t.deepEqual(JSON.parse(r.stdout), []);
  t.is((await runCli(['tickets', 'attachments', 'download', String(tk.id), String(att.id)], env)).code, 5);
});

test('sla-policies update and show; calendars update', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.calendars.create({ name: 'berlin', timeZone: 'Europe/Berlin', hours: { mon: [{ start: '09:00', end: '17:00' }] } });
  await admin.calendars.create({ name: 'utc', timeZone: 'UTC', hours: { tue: [{ start: '08:00', end: '16:00' }] } });
  await admin.slaPolicies.create({ name: 'standard', calendar: 'berlin', priorities: ['normal'], firstResponseMinutes: 60, nextResponseMinutes: 90, resolutionMinutes: 480 });

  let r = await runCli(['sla-policies', 'update', 'standard', '--calendar', 'utc', '--priority', 'normal', '--priority', 'high', '--resolution', '960', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { calendar: 'utc', priorities: ['normal', 'high'], firstResponseMinutes: 60, nextResponseMinutes: 90, resolutionMinutes: 960 });
  r = await runCli(['sla-policies', 'update', 'standard', '--no-next-response'], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^next response: +-$/m);
  t.is((await runCli(['sla-policies', 'update', 'standard'], env)).code, 2, 'nothing to update');
  t.is((await runCli(['sla-policies', 'update', 'missing', '--resolution', '5'], env)).code, 5);
  r = await runCli(['sla-policies', 'update', 'standard', '--calendar', 'nowhere'], env);
  t.is(r.code, 7);
  t.regex(r.stderr, /calendar "nowhere" does not exist/);
  r = await runCli(['sla-policies', 'show', 'standard'], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^calendar: +utc$/m);
  t.regex(r.stdout, /^resolution: +960 min$/m);

  r = await runCli(['calendars', 'update', 'berlin', '--hours', 'mon-fri 08:00-18:00', '--holiday', '2026-12-25', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const cal = JSON.parse(r.stdout);
  t.deepEqual(cal.hours.fri, [{ start: '08:00', end: '18:00' }]);
  t.deepEqual(cal.holidays, ['2026-12-25']);
  t.is(cal.timeZone, 'Europe/Berlin');
  r = await runCli(['calendars', 'update', 'berlin', '--no-holidays', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout).holidays, []);
  t.is((await runCli(['calendars', 'update', 'berlin'], env)).code, 2);
  const agentToken = await tokenFor(admin, 'agent-sla', 'agent');
  t.is((await runCli(['calendars', 'update', 'berlin', '--time-zone', 'UTC'], { ...env, HOTLINE_TOKEN: agentToken })).code, 4);
});
