/**
 * The CRM end to end over real HTTP on SQLite and MariaDB: customers CRUD with normalization and
 * validation (every problem with its path), lookup by phone in any format and by email, custom field
 * definitions, notes, the timeline (notes + calls matched by number), duplicates and merge, audit.
 */
import type { ExecutionContext } from 'ava';
import { ApiError, type HotlineClient } from '../src/client/index.js';
import { CallRow } from '../src/db/entities/index.js';
import type { TestServer } from '../src/testing.js';
import { eachDialect, http, serve } from './helpers.js';

async function apiError(t: ExecutionContext, p: Promise<unknown>): Promise<ApiError> {
  const err = await t.throwsAsync(p, { instanceOf: ApiError });
  return err as ApiError;
}

eachDialect('customers: create normalizes messy input, show, update, list (paged, q, tag), delete; all audited', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.agents.create({ extension: '1001', name: 'Alice' });
  await s.admin.customerFields.create({ name: 'tier', type: 'enum', enumValues: ['gold', 'silver'] });
  await s.admin.customerFields.create({ name: 'since', type: 'date' });
  const c = await s.admin.customers.create({
    name: ' Ada Lovelace ', company: 'Analytical Engines',
    phones: ['(415) 555-0100', { number: '0049 30 1234567 ext. 12', label: 'berlin office' }, '415.555.0100'],
    emails: ['Ada@Example.COM', 'ada@example.com'], language: 'en-gb', tags: ['vip', 'math', 'vip'], vipLevel: 4, preferredAgent: '1001',
    custom: { tier: 'gold', since: '2024-02-29' },
  });
  t.like(c, {
    name: 'Ada Lovelace', company: 'Analytical Engines', emails: ['Ada@Example.COM'], language: 'en-GB', tags: ['vip', 'math'], vipLevel: 4,
    preferredAgent: '1001', custom: { tier: 'gold', since: '2024-02-29' },
  });
  t.deepEqual(c.phones, [{ number: '+14155550100', ext: null, label: null }, { number: '+49301234567', ext: '12', label: 'berlin office' }]);
  t.deepEqual(await s.admin.customers.get(c.id), c);

  const u = await s.admin.customers.update(c.id, { phones: ['+44 20 7946 0958'], custom: { tier: null }, vipLevel: 5 });
  t.deepEqual(u.phones, [{ number: '+442079460958', ext: null, label: null }]);
  t.deepEqual(u.custom, { since: '2024-02-29' });
  t.is(u.vipLevel, 5);
  t.deepEqual(u.emails, c.emails, 'lists not given are kept');

  const others = [];
  for (let i = 0; i < 5; i++) others.push(await s.admin.customers.create({ name: `Bob ${i}`, company: i % 2 ? 'Acme' : '', tags: i === 3 ? ['vip'] : [] }));
  const p1 = await s.admin.customers.list({ limit: 4 });
  t.deepEqual(p1.customers.map((x) => x.id), [c.id, ...others.slice(0, 3).map((x) => x.id)]);
  const p2 = await s.admin.customers.list({ limit: 4, after: p1.next! });
  t.deepEqual(p2.customers.map((x) => x.id), others.slice(3).map((x) => x.id));
  t.is(p2.next, null);
  t.deepEqual((await s.admin.customers.list({ q: 'acme bob' })).customers.map((x) => x.name), ['Bob 1', 'Bob 3']);
  t.deepEqual((await s.admin.customers.list({ q: 'LOVELACE' })).customers.map((x) => x.id), [c.id]);
  t.deepEqual((await s.admin.customers.list({ tag: 'vip' })).customers.map((x) => x.id), [c.id, others[3]!.id]);

  await s.admin.customers.delete(c.id);
  t.is((await apiError(t, s.admin.customers.get(c.id))).status, 404);
  t.is((await apiError(t, s.admin.customers.get('abc'))).status, 404);
  t.deepEqual((await s.admin.customers.lookup({ phone: '+44 20 7946 0958' })).customers, [], 'phones go with the customer');
  for (const action of ['customer.created', 'customer.updated', 'customer.deleted']) {
    t.is((await s.admin.audit.list({ action, subjectId: String(c.id) })).length, 1, action);
  }
  const updated = (await s.admin.audit.list({ action: 'customer.updated', subjectId: String(c.id) }))[0]!;
  t.like(updated, { before: { vipLevel: 4 }, after: { vipLevel: 5 } });
});

eachDialect('customers: invalid input is rejected with every problem and its path, nothing written', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.customerFields.create({ name: 'tier', type: 'enum', enumValues: ['gold', 'silver'] });
  await s.admin.customerFields.create({ name: 'account', type: 'number', required: true });
  const err = await apiError(t, s.admin.customers.create({
    name: 'Bad', phones: ['+1 415 555 0100', '555-12'], emails: ['ok@example.com', 'not an email'], language: 'en_US',
    preferredAgent: '4242', custom: { tier: 'bronze', nope: 1 },
  }));
  t.is(err.status, 400);
  t.is(err.code, 'invalid_input');
  t.deepEqual(err.details.map((d) => d.path).sort(), ['/custom/account', '/custom/nope', '/custom/tier', '/emails/1', '/language', '/phones/1', '/preferredAgent']);
  t.regex(err.details.find((d) => d.path === '/phones/1')!.message, /"555-12" is not a valid phone number/);
  t.regex(err.message, /\/phones\/1: "555-12"/);
  const schema = await http(s.url, 'POST', '/v1/customers', { token: s.adminToken, body: { name: 'x', vipLevel: 9, extra: true } });
  t.is(schema.status, 400);
  t.deepEqual(schema.body.details.map((d: { path: string }) => d.path).sort(), ['/extra', '/vipLevel']);
  t.deepEqual((await s.admin.customers.list()).customers, []);
  t.is((await s.admin.audit.list({ action: 'customer.created' })).length, 0);
  const ok = await s.admin.customers.create({ name: 'Good', custom: { account: 42 } });
  await apiError(t, s.admin.customers.update(ok.id, { custom: { account: null } }));
  t.deepEqual((await s.admin.customers.get(ok.id)).custom, { account: 42 }, 'a required value cannot be removed');
});

eachDialect('lookup by phone in any format and by email (case-insensitive); several holders; invalid input 400', async (t, dialect) => {
  const s = await serve(t, { dialect, overrides: { 'crm.defaultRegion': 'DE' } });
  const a = await s.admin.customers.create({ name: 'Anna', phones: ['030 1234567'], emails: ['Anna@Example.de'] });
  const b = await s.admin.customers.create({ name: 'Bernd', phones: ['+49 30 1234567', '0171 2345678'] });
  t.deepEqual(a.phones[0]!.number, '+49301234567', 'national numbers are read in crm.defaultRegion');
  for (const phone of ['030-123 45 67', '+49301234567', '0049 (30) 1234567', '(030) 1234567']) {
    const r = await s.admin.customers.lookup({ phone });
    t.is(r.normalized, '+49301234567');
    t.deepEqual(r.customers.map((x) => x.id), [a.id, b.id], phone);
  }
  t.deepEqual((await s.admin.customers.lookup({ phone: '0171/2345678' })).customers.map((x) => x.id), [b.id]);
  t.deepEqual((await s.admin.customers.lookup({ email: ' ANNA@example.DE' })).customers.map((x) => x.id), [a.id]);
  t.deepEqual((await s.admin.customers.lookup({ phone: '089 1234567' })).customers, []);
  const bad = await http(s.url, 'GET', '/v1/customers/lookup?phone=12', { token: s.adminToken });
  t.is(bad.status, 400);
  t.deepEqual(bad.body.details, [{ path: '/phone', message: '"12" is not a valid phone number (read as +4912 in DE)' }]);
  t.is((await http(s.url, 'GET', '/v1/customers/lookup', { token: s.adminToken })).status, 400);
  t.is((await http(s.url, 'GET', '/v1/customers/lookup?phone=1&email=a@b.de', { token: s.adminToken })).status, 400);
});

async function call(s: TestServer, id: string, from: string, to: string, startedAt: Date): Promise<void> {
  await s.server.services.store.writer.run((tx) => tx.em.save(CallRow, Object.assign(new CallRow(), {
    id, fromExt: from, toExt: to, direction: 'inbound', state: 'ended', startedAt, ringingAt: null, answeredAt: startedAt,
    endedAt: startedAt, hangupBy: 'caller', status: 200, reason: null, trunk: null,
  })));
}

eachDialect('notes and the timeline: notes and calls matched by the customer\'s numbers, newest first; agents delete only their notes', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const agent = await s.clientFor('agent', 'agent-ann');
  const auditor = await s.clientFor('auditor', 'auditor-al');
  const c = await s.admin.customers.create({ name: 'Carol', phones: ['+1 415 555 0100', '+49 30 1234567'] });
  const n1 = await agent.customers.notes.add(c.id, 'asked about billing');
  const n2 = await s.admin.customers.notes.add(c.id, 'escalated');
  t.like(n1, { author: 'agent-ann', text: 'asked about billing', customerId: c.id });
  const base = Date.now() - 3_600_000;
  await call(s, '00000000-0000-4000-8000-000000000001', '14155550100', '5000', new Date(base));
  await call(s, '00000000-0000-4000-8000-000000000002', '1001', '0301234567', new Date(base + 1000));
  await call(s, '00000000-0000-4000-8000-000000000003', '+14155550100', '5000', new Date(base + 2000));
  await call(s, '00000000-0000-4000-8000-000000000004', '14155550199', '5000', new Date(base + 3000));
  const tl = await agent.customers.timeline(c.id);
  t.deepEqual(tl.map((i) => `${i.kind}:${i.id}`), [
    `note:${n2.id}`, `note:${n1.id}`,
    'call:00000000-0000-4000-8000-000000000003', 'call:00000000-0000-4000-8000-000000000002', 'call:00000000-0000-4000-8000-000000000001',
  ]);
  t.is(tl[3]!.call!.matched, '+49301234567');
  t.regex(tl[3]!.summary, /^call to \+49301234567/);
  t.deepEqual((await auditor.customers.notes.list(c.id)).map((n) => n.id), [n2.id, n1.id]);
  t.is((await apiError(t, auditor.customers.notes.add(c.id, 'x'))).status, 403);
  const others = await apiError(t, agent.customers.notes.delete(c.id, n2.id));
  t.is(others.status, 403);
  t.regex(others.message, /only its own notes/);
  await agent.customers.notes.delete(c.id, n1.id);
  await s.admin.customers.notes.delete(c.id, n2.id);
  t.deepEqual(await s.admin.customers.notes.list(c.id), []);
  t.is((await apiError(t, s.admin.customers.notes.delete(c.id, n2.id))).status, 404);
  t.is((await s.admin.audit.list({ action: 'note.created', subjectId: String(c.id) })).length, 2);
  t.is((await s.admin.audit.list({ action: 'note.deleted', subjectId: String(c.id) })).length, 2);
  t.is((await apiError(t, agent.customers.update(c.id, { name: 'x' }))).status, 403, 'agents do not change customers');
  t.is((await apiError(t, agent.customers.export())).status, 403, 'agents do not bulk-export');
  t.is((await auditor.customers.export()).customers.length, 1, 'auditors may export (read only)');
});

eachDialect('duplicates (phone, email, similar name at the same company) and merge (target wins, lists joined, notes moved, audited)', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.customerFields.create({ name: 'tier', type: 'string' });
  await s.admin.customerFields.create({ name: 'region', type: 'string' });
  const target = await s.admin.customers.create({ name: 'Jonathan Smith', company: 'Acme Inc.', phones: ['415 555 0100'], tags: ['a'], custom: { tier: 'gold' } });
  const byPhone = await s.admin.customers.create({ name: 'J. S.', phones: ['+14155550100', '415 555 0101'], emails: ['js@acme.example'], language: 'en', vipLevel: 3, tags: ['b', 'a'], custom: { tier: 'silver', region: 'west' } });
  const byName = await s.admin.customers.create({ name: 'Smith, Jonathon', company: 'ACME inc' });
  const byEmail = await s.admin.customers.create({ name: 'Someone', emails: ['JS@acme.example'] });
  await s.admin.customers.create({ name: 'Jane Smith', company: 'Other' });
  const dups = await s.admin.customers.duplicates(target.id);
  t.deepEqual(dups.map((d) => [d.customer.id, d.reasons]), [[byPhone.id, ['phone +14155550100']], [byName.id, ['name and company']]]);
  t.deepEqual((await s.admin.customers.duplicates(byPhone.id)).map((d) => [d.customer.id, d.reasons]), [[target.id, ['phone +14155550100']], [byEmail.id, ['email js@acme.example']]]);

  const note = await s.admin.customers.notes.add(byPhone.id, 'from the duplicate');
  const merged = await s.admin.customers.merge(target.id, byPhone.id);
  t.like(merged, { id: target.id, name: 'Jonathan Smith', company: 'Acme Inc.', language: 'en', vipLevel: 3, tags: ['a', 'b'], custom: { tier: 'gold', region: 'west' } });
  t.deepEqual(merged.phones.map((p) => p.number), ['+14155550100', '+14155550101']);
  t.deepEqual(merged.emails, ['js@acme.example']);
  t.deepEqual((await s.admin.customers.notes.list(target.id)).map((n) => n.id), [note.id]);
  t.is((await apiError(t, s.admin.customers.get(byPhone.id))).status, 404);
  t.is((await apiError(t, s.admin.customers.merge(target.id, target.id))).status, 400);
  t.is((await apiError(t, s.admin.customers.merge(target.id, 999999))).status, 404);
  const audit = await s.admin.audit.list({ action: 'customer.merged', subjectId: String(target.id) });
  t.is(audit.length, 1);
  t.like(audit[0]!, { before: { source: { id: byPhone.id } }, after: { id: target.id } });
});

eachDialect('custom fields: list, create (enum needs values), duplicate name 409, delete removes the values', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.customerFields.create({ name: 'score', type: 'number', description: 'NPS' });
  t.is((await apiError(t, s.admin.customerFields.create({ name: 'score', type: 'string' }))).status, 409);
  t.is((await apiError(t, s.admin.customerFields.create({ name: 'kind', type: 'enum' }))).status, 400);
  t.is((await apiError(t, s.admin.customerFields.create({ name: 'Bad-Name', type: 'string' }))).status, 400);
  await s.admin.customerFields.create({ name: 'active', type: 'boolean' });
  t.deepEqual((await s.admin.customerFields.list()).map((f) => [f.name, f.type, f.required]), [['active', 'boolean', false], ['score', 'number', false]]);
  const c = await s.admin.customers.create({ name: 'Dora', custom: { score: 9, active: true } });
  t.is((await apiError(t, s.admin.customers.update(c.id, { custom: { score: 'nine' } }))).details[0]!.path, '/custom/score');
  await s.admin.customerFields.delete('score');
  t.deepEqual((await s.admin.customers.get(c.id)).custom, { active: true });
  t.is((await apiError(t, s.admin.customerFields.delete('score'))).status, 404);
  const supervisor: HotlineClient = await s.clientFor('supervisor');
  t.is((await apiError(t, supervisor.customerFields.create({ name: 'x', type: 'string' }))).status, 403, 'the schema is the admins\'');
});
