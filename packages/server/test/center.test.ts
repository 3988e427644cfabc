/**
 * Center files at the API level: plan, apply and export. Apply creates everything, is idempotent,
 * leaves omitted sections alone, prunes only when asked, treats member lists as authoritative, handles
 * passwords by digest without ever showing them, rejects invalid files with paths into the file, and is
 * atomic: a file whose later change fails leaves the server exactly as it was.
 */
import type { ExecutionContext } from 'ava';
import { ApiError, type CenterFile, type Plan } from '../src/client/index.js';
import type { TestServer } from '../src/testing.js';
import { allEvents, deferred, eachDialect, serve, waitFor } from './helpers.js';

const HEADER = { apiVersion: 'hotline/v1', kind: 'Center' } as const;

const FULL = {
  ...HEADER,
  users: [
    { name: 'admin', role: 'admin', displayName: 'Administrator', disabled: false },
    { name: 'alice', role: 'agent', displayName: 'Alice A.' },
    { name: 'sue', role: 'supervisor' },
    { name: 'old', role: 'auditor', disabled: true },
  ],
  skills: [{ name: 'sales', description: 'Selling' }, { name: 'french' }],
  pauseReasons: [{ code: 'lunch', label: 'Lunch', paid: false, maxMinutes: 45 }, { code: 'training', label: 'Training', paid: true }],
  dispositions: [{ code: 'sold', label: 'Sold' }, { code: 'callback', label: 'Call back', requiresNote: true }],
  agents: [
    { extension: '1001', name: 'Alice', user: 'alice', skills: { sales: 8, french: 3 }, maxChats: 2, password: 'alice-sip-password' },
    { extension: '1002', name: 'Bob', skills: { sales: 5 } },
    { extension: '1003', name: 'Carol' },
  ],
  queues: [
    { name: 'sales', strategy: 'skills-weighted', settings: { serviceLevelSeconds: 30, requiredSkills: { sales: 1 } }, members: [{ agent: '1001' }, { agent: '1002', penalty: 2, level: 2 }] },
    { name: 'support', members: [{ agent: '1003' }] },
  ],
} satisfies CenterFile;

const keys = (p: Plan) => p.changes.map((c) => `${c.action} ${c.kind} ${c.key}`);

async function snapshot(s: TestServer) {
  return {
    center: await s.admin.center.export(),
    cursor: (await s.admin.status()).events.cursor,
    audit: (await s.admin.audit.list({ limit: 1000 })).length,
    agents: await s.admin.agents.list(),
    tokens: await s.admin.tokens.list(),
  };
}

async function invalid(t: ExecutionContext, s: TestServer, file: unknown, prune = false): Promise<ApiError> {
  const err = await t.throwsAsync(s.admin.center.plan(file, prune), { instanceOf: ApiError });
  t.is(err?.status, 400, err?.message);
  t.is(err?.code, 'invalid_input');
  const applyErr = await t.throwsAsync(s.admin.center.apply(file, prune), { instanceOf: ApiError });
  t.deepEqual(applyErr?.details, err?.details, 'apply refuses the same way');
  return err!;
}

eachDialect('apply creates everything in dependency order, a second apply plans nothing, export is the file', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const plan = await s.admin.center.plan(FULL);
  t.deepEqual(keys(plan), [
    'create user alice', 'create user sue', 'create user old',
    'create skill sales', 'create skill french',
    'create pause_reason lunch', 'create pause_reason training',
    'create disposition sold', 'create disposition callback',
    'create agent 1001', 'create agent 1002', 'create agent 1003',
    'create queue sales', 'create queue support',
    'create member sales/1001', 'create member sales/1002', 'create member support/1003',
  ]);
  t.deepEqual(plan.summary, { create: 17, update: 0, delete: 0 });
  t.deepEqual(plan.unmanaged, []);
  t.deepEqual(plan.changes.find((c) => c.key === '1001')?.fields.find((f) => f.field === 'password'), { field: 'password', from: null, to: '(set)' });
  t.deepEqual(await s.admin.agents.list(), [], 'plan changes nothing');

  t.deepEqual(await s.admin.center.apply(FULL), plan);
  t.like(await s.admin.agents.get('1001'), { user: 'alice', skills: { french: 3, sales: 8 }, maxChats: 2, hasSipCredentials: true });
  t.like(await s.admin.users.get('old'), { role: 'auditor', disabled: true });
  t.like((await s.admin.queues.get('sales')).settings, { serviceLevelSeconds: 30, requiredSkills: { sales: 1 }, wrapUpSeconds: 10 });
  t.deepEqual((await s.admin.queues.get('sales')).members.map((m) => [m.agent, m.penalty, m.level]), [['1001', 0, 1], ['1002', 2, 2]]);
  t.is((await s.admin.queues.get('support')).strategy, 'longest-idle');

  const cursor = (await s.admin.status()).events.cursor;
  const again = await s.admin.center.apply(FULL);
  t.deepEqual(again, { changes: [], summary: { create: 0, update: 0, delete: 0 }, unmanaged: [] }, 'idempotent');
  t.is((await s.admin.status()).events.cursor, cursor, 'an empty apply writes no event, not even center.applied');

  const exported = await s.admin.center.export();
  t.deepEqual((await s.admin.center.plan(exported)).changes, [], 'the export applies back unchanged');
  t.false(JSON.stringify(exported).includes('password'), 'passwords are never exported');
  t.deepEqual(exported.agents?.find((a) => a.extension === '1003'), { extension: '1003', name: 'Carol', user: null, skills: {}, maxChats: 1 });
});

eachDialect('an export applied to a fresh server gives an identical export', async (t, dialect) => {
  const a = await serve(t, { dialect });
  await a.admin.center.apply(FULL);
  await a.admin.agents.update('1002', { name: 'Robert', maxChats: 4 });
  await a.admin.queues.update('support', { strategy: 'round-robin', settings: { maxCallers: 10, joinWhenEmpty: false } });
  const exported = await a.admin.center.export();
  const b = await serve(t, { dialect });
  const plan = await b.admin.center.apply(exported);
  t.is(plan.summary.delete, 0);
  t.deepEqual(await b.admin.center.export(), exported);
  t.deepEqual((await b.admin.center.plan(exported, true)).changes, [], 'nothing left to do, even with prune');
});

eachDialect('omitted sections and objects are unmanaged; prune deletes unmanaged objects of the sections present', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.center.apply(FULL);
  const onlyAgents = { ...HEADER, agents: [{ extension: '1001', name: 'Alice' }] };
  const plan = await s.admin.center.plan(onlyAgents);
  t.deepEqual(plan.changes, [], 'omitted optional fields keep the server\'s values');
  t.deepEqual(plan.unmanaged, [{ kind: 'agent', key: '1002' }, { kind: 'agent', key: '1003' }], 'only the sections present are compared');

  const pruned = await s.admin.center.plan(onlyAgents, true);
  t.deepEqual(keys(pruned), ['delete agent 1003', 'delete agent 1002']);
  t.deepEqual(pruned.unmanaged, []);
  await s.admin.center.apply(onlyAgents, true);
  t.deepEqual((await s.admin.agents.list()).map((a) => a.extension), ['1001']);
  t.deepEqual((await s.admin.queues.get('sales')).members.map((m) => m.agent), ['1001'], 'deleted agents left their queues');
  t.is((await s.admin.skills.list()).length, 2, 'other sections untouched');
  t.is((await s.admin.queues.list()).length, 2);

  // Prune across sections: deletes run top down (members, queues, agents, ..., users), after creates and updates.
  const small = { ...HEADER, users: [{ name: 'admin', role: 'admin' }], skills: [], agents: [{ extension: '1001', name: 'Alice', skills: {} }], queues: [] };
  const p2 = await s.admin.center.apply(small, true);
  t.deepEqual(keys(p2), [
    'update agent 1001',
    'delete queue support', 'delete queue sales', 'delete skill sales', 'delete skill french', 'delete user sue', 'delete user old', 'delete user alice',
  ]);
  t.deepEqual((await s.admin.users.list()).map((u) => u.name), ['admin']);
  t.is((await s.admin.agents.get('1001')).user, null, 'its user is gone');
  t.is((await s.admin.pauseReasons.list()).length, 2, 'sections not in the file are never pruned');
  t.deepEqual((await s.admin.center.plan(small, true)).changes, []);
});

eachDialect('a queue\'s members list is authoritative; without it membership is unmanaged', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.center.apply(FULL);
  await s.admin.queues.members.add('support', { agent: '1002' });
  const withoutMembers = { ...HEADER, queues: [{ name: 'support' }] };
  t.deepEqual((await s.admin.center.plan(withoutMembers)).changes, [], 'no members key: membership is not managed');
  const listed = { ...HEADER, queues: [{ name: 'sales', members: [{ agent: '1002', penalty: 7 }, { agent: '1003' }] }] };
  const plan = await s.admin.center.plan(listed);
  t.deepEqual(keys(plan), ['update member sales/1002', 'create member sales/1003', 'delete member sales/1001']);
  t.deepEqual(plan.changes.find((c) => c.key === 'sales/1002')?.fields, [{ field: 'penalty', from: 2, to: 7 }], 'level 2 kept: omitted');
  await s.admin.center.apply(listed);
  t.deepEqual((await s.admin.queues.get('sales')).members.map((m) => [m.agent, m.penalty, m.level]), [['1002', 7, 2], ['1003', 0, 1]]);
  t.deepEqual((await s.admin.queues.get('support')).members.map((m) => m.agent), ['1002', '1003'], 'other queues untouched');
  await s.admin.center.apply({ ...HEADER, queues: [{ name: 'sales', members: [] }] });
  t.deepEqual((await s.admin.queues.get('sales')).members, [], 'an empty list empties the queue');
});

eachDialect('queue settings in a file are complete: omitted keys take defaults, and the apply stays idempotent', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.center.apply(FULL);
  await s.admin.queues.update('support', { settings: { wrapUpSeconds: 60 } });
  const file = { ...HEADER, queues: [{ name: 'sales', settings: { maxCallers: 5 } }, { name: 'support', settings: {} }] };
  const plan = await s.admin.center.plan(file);
  t.deepEqual(keys(plan), ['update queue sales', 'update queue support']);
  t.deepEqual(plan.changes[0]!.fields[0]!.to, {
    serviceLevelSeconds: 20, maxWaitSeconds: 0, maxCallers: 5, ringTimeoutSeconds: 15, wrapUpSeconds: 10, priority: 0,
    announcePositionSeconds: 0, joinWhenEmpty: true, requiredSkills: {},
  });
  await s.admin.center.apply(file);
  t.deepEqual((await s.admin.queues.get('sales')).settings, plan.changes[0]!.fields[0]!.to, 'the server has what the plan showed');
  t.like((await s.admin.queues.get('support')).settings, { wrapUpSeconds: 10 });
  t.deepEqual((await s.admin.center.plan(file)).changes, [], 'a second apply plans nothing');
});

eachDialect('passwords: set on first apply, unchanged when the same, "(set)" when different, never shown', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const file = (password: string) => ({ ...HEADER, agents: [{ extension: '2001', name: 'Pat', password }] });
  const first = await s.admin.center.apply(file('first-password'));
  t.deepEqual(first.changes[0]!.fields.find((f) => f.field === 'password'), { field: 'password', from: null, to: '(set)' });
  t.true((await s.admin.agents.get('2001')).hasSipCredentials);
  t.deepEqual((await s.admin.center.plan(file('first-password'))).changes, [], 'the same password plans nothing');
  const changed = await s.admin.center.plan(file('second-password'));
  t.deepEqual(changed.changes, [{ action: 'update', kind: 'agent', key: '2001', fields: [{ field: 'password', from: '(unchanged)', to: '(set)' }] }]);
  const applied = await s.admin.center.apply(file('second-password'));
  t.deepEqual(applied, changed);
  t.deepEqual((await s.admin.center.plan(file('second-password'))).changes, []);
  t.deepEqual((await s.admin.center.plan(file('first-password'))).changes.length, 1, 'the old password is no longer current');
  // A password set through the API is recognised too.
  await s.admin.agents.update('2001', { password: 'third-password' });
  t.deepEqual((await s.admin.center.plan(file('third-password'))).changes, []);
  const events = JSON.stringify(await allEvents(s)) + JSON.stringify(await s.admin.audit.list({ limit: 1000 }));
  for (const p of ['first-password', 'second-password', 'third-password']) t.false(events.includes(p));
  t.true((await s.admin.audit.list({ action: 'agent.updated' })).every((a) => (a.after as { sipCredentialsChanged?: boolean }).sipCredentialsChanged));
});

eachDialect('invalid files are rejected as a whole with a path for every problem', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.users.create({ name: 'bob', role: 'agent' });
  await s.admin.skills.create({ name: 'existing' });
  const before = await snapshot(s);
  const schemaErr = await invalid(t, s, {
    ...HEADER,
    agents: [{ extension: '12a', name: 'X' }, { extension: '1002', name: 'Y', colour: 'red' }],
    queues: [{ name: 'q', strategy: 'fastest', settings: { ringTimeoutSeconds: 1 } }],
  });
  t.deepEqual(schemaErr.details.map((d) => d.path).sort(), ['/agents/0/extension', '/agents/1/colour', '/queues/0/settings/ringTimeoutSeconds', '/queues/0/strategy']);
  t.is(schemaErr.details.find((d) => d.path === '/agents/1/colour')?.message, 'unknown field');
  t.regex(schemaErr.message, /\/agents\/0\/extension/);

  const header = await invalid(t, s, { apiVersion: 'hotline/v2', kind: 'Center', extra: true });
  t.deepEqual(header.details.map((d) => d.path).sort(), ['/apiVersion', '/extra']);
  t.deepEqual((await invalid(t, s, 'agents: []')).details, [{ path: '', message: 'must be object' }]);

  const refs = await invalid(t, s, {
    ...HEADER,
    skills: [{ name: 'sales' }],
    agents: [
      { extension: '1001', name: 'A', skills: { sales: 1, existing: 2, cooking: 3 }, user: 'nobody' },
      { extension: '1002', name: 'B', user: 'bob' },
      { extension: '1001', name: 'A again' },
    ],
    queues: [{ name: 'q', settings: { requiredSkills: { knitting: 1 } }, members: [{ agent: '1002' }, { agent: '9999' }, { agent: '1002' }] }],
  });
  t.deepEqual(refs.details.map((d) => d.path).sort(), [
    '/agents/0/skills/cooking', '/agents/0/user', '/agents/2', '/queues/0/members/1/agent', '/queues/0/members/2', '/queues/0/settings/requiredSkills/knitting',
  ]);
  t.regex(refs.details.find((d) => d.path === '/agents/2')!.message, /duplicate agent "1001" \(also at \/agents\/0\)/);
  t.regex(refs.details.find((d) => d.path === '/queues/0/members/2')!.message, /duplicate member "q\/1002" \(also at \/queues\/0\/members\/0\)/);
  t.regex(refs.message, /6 problems/);
  t.deepEqual(await snapshot(s), before, 'nothing changed');
});

eachDialect('with prune, references to objects the same apply would delete are problems', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.center.apply(FULL);
  const before = await snapshot(s);
  const file = {
    ...HEADER,
    users: [{ name: 'admin', role: 'admin' }],
    skills: [{ name: 'sales' }],
    agents: [{ extension: '1001', name: 'Alice', user: 'alice', skills: { sales: 1, french: 1 } }],
    queues: [{ name: 'sales', settings: { requiredSkills: { french: 1 } }, members: [{ agent: '1002' }] }],
  };
  // Without prune the references are fine: alice, french and 1002 stay.
  t.true((await s.admin.center.plan(file)).changes.length > 0);
  const err = await invalid(t, s, file, true);
  t.deepEqual(err.details.map((d) => d.path).sort(), ['/agents/0/skills/french', '/agents/0/user', '/queues/0/members/0/agent', '/queues/0/settings/requiredSkills/french']);
  t.deepEqual(await snapshot(s), before);
});

eachDialect('apply is atomic: when a later change fails, nothing of the file is applied and nothing is emitted', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.center.apply({ ...HEADER, skills: [{ name: 'old-skill' }], agents: [{ extension: '3001', name: 'Old' }] });
  const before = await snapshot(s);
  const seen: number[] = [];
  const ac = new AbortController();
  const live = deferred<number>();
  const stream = s.admin.events.stream({ signal: ac.signal, onEvent: (e) => seen.push(e.cursor), onLive: (c) => live.resolve(c) });
  t.is(await live.promise, before.cursor, 'the stream is live before the apply starts');
  // Creates, updates and deletes succeed one by one, then the last delete (the only admin) is refused.
  const file = {
    ...FULL,
    users: [{ name: 'ops', role: 'supervisor' }],
    agents: [...FULL.agents.map((a) => ({ ...a, user: undefined })), { extension: '3001', name: 'Renamed' }],
  };
  const plan = await s.admin.center.plan(file, true);
  t.deepEqual(plan.changes.at(-1), { action: 'delete', kind: 'user', key: 'admin', fields: [] }, 'the failing change comes last');
  t.true(plan.changes.length > 15);
  const err = await t.throwsAsync(s.admin.center.apply(file, true), { instanceOf: ApiError });
  t.is(err?.status, 409);
  t.is(err?.code, 'conflict');
  t.regex(err?.message ?? '', /last enabled admin/);
  t.deepEqual(await snapshot(s), before, 'export, cursor, audit, agents and tokens unchanged');
  // The stream saw nothing either: a marker event is the first thing it receives after the failure.
  await s.admin.skills.create({ name: 'marker' });
  const marker = (await s.admin.status()).events.cursor;
  await waitFor('the marker event on the stream', () => seen.includes(marker));
  ac.abort();
  await stream;
  t.deepEqual(seen, [marker]);
  t.is((await s.admin.me()).user.name, 'admin', 'the admin token still works');
});

eachDialect('a skill that a queue requires cannot be deleted, so an export always applies back', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.center.apply(FULL);
  const before = await snapshot(s);
  const viaApi = await t.throwsAsync(s.admin.skills.delete('sales'), { instanceOf: ApiError });
  t.is(viaApi?.status, 409);
  t.regex(viaApi?.message ?? '', /sales.*required by queue sales/);
  // Pruning it away while the queue (not in the file) still requires it is refused too, atomically.
  const viaPrune = await t.throwsAsync(s.admin.center.apply({ ...HEADER, skills: [{ name: 'french' }] }, true), { instanceOf: ApiError });
  t.is(viaPrune?.status, 409);
  t.deepEqual(await snapshot(s), before);
  // Dropping the requirement in the same file makes the delete fine.
  await s.admin.center.apply({ ...HEADER, skills: [{ name: 'french' }], queues: [{ name: 'sales', settings: {} }, { name: 'support' }] }, true);
  t.deepEqual((await s.admin.skills.list()).map((k) => k.name), ['french']);
  t.deepEqual((await s.admin.agents.get('1001')).skills, { french: 3 }, 'the skill left the agents');
  const exported = await s.admin.center.export();
  t.deepEqual((await s.admin.center.plan(exported, true)).changes, []);
});

const WEEKDAYS = [{ start: '09:00', end: '17:00' }];
const TICKETS = {
  ...HEADER,
  calendars: [
    { name: 'office', timeZone: 'Europe/Berlin', hours: { mon: WEEKDAYS, tue: WEEKDAYS, wed: WEEKDAYS, thu: WEEKDAYS, fri: WEEKDAYS }, holidays: ['2026-12-25', '2026-12-24', '2026-12-25'] },
    { name: 'weekend', timeZone: 'UTC', hours: { sat: [{ start: '10:00', end: '24:00' }], sun: [{ start: '10:00', end: '14:00' }] } },
  ],
  slaPolicies: [
    { name: 'standard', calendar: 'office', firstResponseMinutes: 240, resolutionMinutes: 2400, priorities: ['low', 'normal'] },
    { name: 'vip', calendar: 'weekend', firstResponseMinutes: 30, nextResponseMinutes: 60, resolutionMinutes: 480, priorities: ['high', 'urgent', 'high'] },
  ],
} satisfies CenterFile;

eachDialect('calendars and SLA policies: planned in dependency order, applied, updated, pruned, exported back', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const plan = await s.admin.center.plan(TICKETS);
  t.deepEqual(keys(plan), ['create calendar office', 'create calendar weekend', 'create sla_policy standard', 'create sla_policy vip']);
  t.deepEqual(plan.changes[0]?.fields.find((f) => f.field === 'holidays'), { field: 'holidays', from: null, to: ['2026-12-24', '2026-12-25'] });
  await s.admin.center.apply(TICKETS);
  t.like(await s.admin.calendars.get('office'), { timeZone: 'Europe/Berlin', holidays: ['2026-12-24', '2026-12-25'] });
  t.deepEqual((await s.admin.slaPolicies.list()).map((p) => [p.name, p.calendar, p.nextResponseMinutes, p.priorities]), [
    ['standard', 'office', null, ['low', 'normal']], ['vip', 'weekend', 60, ['high', 'urgent']],
  ]);
  t.deepEqual((await s.admin.center.plan(TICKETS)).changes, [], 'a second apply plans nothing');

  // Updates: a holiday more, a policy moved to another calendar with another target.
  const changed = {
    ...TICKETS,
    calendars: [{ ...TICKETS.calendars[0], holidays: ['2026-12-24', '2026-12-25', '2026-12-31'] }, TICKETS.calendars[1]],
    slaPolicies: [TICKETS.slaPolicies[0], { ...TICKETS.slaPolicies[1], calendar: 'office', resolutionMinutes: 600 }],
  };
  const p2 = await s.admin.center.apply(changed);
  t.deepEqual(keys(p2), ['update calendar office', 'update sla_policy vip']);
  t.deepEqual(p2.changes[1]?.fields.map((f) => [f.field, f.from, f.to]), [['calendar', 'weekend', 'office'], ['resolutionMinutes', 480, 600]]);
  t.like(await s.admin.slaPolicies.list().then((l) => l.find((p) => p.name === 'vip')), { calendar: 'office', resolutionMinutes: 600 });
  t.deepEqual((await s.admin.center.plan(changed)).changes, []);

  // The export applies to a fresh server unchanged.
  const exported = await s.admin.center.export();
  t.deepEqual(exported.calendars?.map((c) => c.name), ['office', 'weekend']);
  const b = await serve(t, { dialect });
  await b.admin.center.apply(exported);
  t.deepEqual(await b.admin.center.export(), exported);

  // Prune: the policy goes before its calendar; an unknown calendar is a problem with a path.
  const small = { ...HEADER, calendars: [changed.calendars[0]], slaPolicies: [changed.slaPolicies[1]] };
  const pruned = await s.admin.center.apply(small, true);
  t.deepEqual(keys(pruned), ['delete sla_policy standard', 'delete calendar weekend']);
  t.deepEqual((await s.admin.calendars.list()).map((c) => c.name), ['office']);
  t.deepEqual((await s.admin.center.plan(small, true)).changes, []);
  const err = await invalid(t, s, { ...HEADER, slaPolicies: [{ ...TICKETS.slaPolicies[0], calendar: 'nowhere' }] });
  t.deepEqual(err.details, [{ path: '/slaPolicies/0/calendar', message: 'unknown calendar "nowhere"' }]);
  const inUse = await invalid(t, s, { ...HEADER, calendars: [] }, true);
  t.deepEqual(inUse.details, [{ path: '/calendars', message: 'calendar "office" is used by SLA policy "vip"' }]);
});

eachDialect('customer fields: definitions are created, updated and pruned; customers stay out of the file', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const file = {
    ...HEADER,
    customerFields: [
      { name: 'tier', type: 'enum', enumValues: ['gold', 'silver', 'gold'], description: 'Contract tier' },
      { name: 'contract_end', type: 'date', required: false },
      { name: 'vip', type: 'boolean' },
    ],
  } satisfies CenterFile;
  const plan = await s.admin.center.plan(file);
  t.deepEqual(keys(plan), ['create customer_field tier', 'create customer_field contract_end', 'create customer_field vip']);
  await s.admin.center.apply(file);
  t.like((await s.admin.customerFields.list()).find((f) => f.name === 'tier'), { type: 'enum', enumValues: ['gold', 'silver'], required: false });
  t.deepEqual((await s.admin.center.plan(file)).changes, [], 'a second apply plans nothing');
  const customer = await s.admin.customers.create({ name: 'Ada Customer', custom: { tier: 'gold', vip: true } });

  const changed = { ...file, customerFields: [{ ...file.customerFields[0], enumValues: ['gold', 'silver', 'bronze'] }, { ...file.customerFields[1], required: true }, file.customerFields[2]] };
  const p2 = await s.admin.center.apply(changed);
  t.deepEqual(keys(p2), ['update customer_field tier', 'update customer_field contract_end']);
  t.deepEqual(p2.changes[0]?.fields, [{ field: 'enumValues', from: ['gold', 'silver'], to: ['gold', 'silver', 'bronze'] }]);
  t.deepEqual((await s.admin.center.plan(changed)).changes, []);

  const exported = await s.admin.center.export();
  t.deepEqual(exported.customerFields, [
    { name: 'contract_end', type: 'date', required: true, description: '' },
    { name: 'tier', type: 'enum', required: false, enumValues: ['gold', 'silver', 'bronze'], description: 'Contract tier' },
    { name: 'vip', type: 'boolean', required: false, description: '' },
  ]);
  t.false(JSON.stringify(exported).includes('Ada Customer'), 'customers are not configuration');
  const b = await serve(t, { dialect });
  await b.admin.center.apply(exported);
  t.deepEqual(await b.admin.center.export(), exported);

  const typeErr = await invalid(t, s, { ...HEADER, customerFields: [{ name: 'vip', type: 'string' }, { name: 'kind', type: 'enum' }, { name: 'age', type: 'number', enumValues: ['x'] }] });
  t.deepEqual(typeErr.details, [
    { path: '/customerFields/0/type', message: 'cannot change from boolean (delete the field and create it again)' },
    { path: '/customerFields/1/enumValues', message: 'required for type enum' },
    { path: '/customerFields/2/enumValues', message: 'not allowed for type number' },
  ]);

  const pruned = await s.admin.center.apply({ ...HEADER, customerFields: [changed.customerFields[0]] }, true);
  t.deepEqual(keys(pruned), ['delete customer_field vip', 'delete customer_field contract_end']);
  t.deepEqual((await s.admin.customers.get(customer.id)).custom, { tier: 'gold' }, 'a pruned field leaves the customers');
});

eachDialect('rules: created, updated and pruned; webhook keys set on first apply, compared, never exported', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const KEY = 'center-webhook-key-0001';
  const file = {
    ...HEADER,
    rules: [
      {
        name: 'urgent-calls', trigger: 'call.ended', conditions: [{ field: 'payload.after.queue', op: 'eq', value: 'vip' }],
        actions: [{ type: 'create_ticket', subject: 'Call from {{payload.after.from}}', priority: 'high' }],
      },
      { name: 'notify', enabled: false, trigger: 'ticket.*', actions: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook', attempts: 2 }], secret: KEY },
    ],
  } satisfies CenterFile;
  const plan = await s.admin.center.plan(file);
  t.deepEqual(keys(plan), ['create rule urgent-calls', 'create rule notify']);
  t.deepEqual(plan.changes[1]?.fields.find((f) => f.field === 'secret'), { field: 'secret', from: null, to: '(set)' });
  t.false(JSON.stringify(plan).includes(KEY), 'the key is never shown');
  await s.admin.center.apply(file);
  t.like(await s.admin.rules.get('notify'), { enabled: false, hasSecret: true, triggerKind: 'event' });
  t.deepEqual((await s.admin.center.plan(file)).changes, [], 'the same key compares equal: nothing to do');

  const changed = { ...file, rules: [{ ...file.rules[0], trigger: '*/5 * * * *' }, { ...file.rules[1], secret: 'another-webhook-key-02' }] };
  const p2 = await s.admin.center.apply(changed);
  t.deepEqual(p2.changes.map((c) => [c.key, c.fields.map((f) => [f.field, f.from, f.to])]), [
    ['urgent-calls', [['trigger', 'call.ended', '*/5 * * * *']]],
    ['notify', [['secret', '(unchanged)', '(set)']]],
  ]);
  t.is((await s.admin.rules.get('urgent-calls')).triggerKind, 'cron');
  t.deepEqual((await s.admin.center.plan(changed)).changes, []);

  const exported = await s.admin.center.export();
  t.false(JSON.stringify(exported).includes('webhook-key'), 'keys are never exported');
  t.deepEqual(exported.rules?.map((r) => r.name), ['urgent-calls', 'notify']);
  const b = await serve(t, { dialect });
  await b.admin.center.apply(exported);
  t.deepEqual(await b.admin.center.export(), exported);

  const bad = await invalid(t, s, { ...HEADER, rules: [{ name: 'broken', trigger: '99 * * * *', actions: [{ type: 'webhook', url: 'http://127.0.0.1:9/' }] }] });
  t.is(bad.details?.[0]?.path, '/rules/0/trigger');

  const pruned = await s.admin.center.apply({ ...HEADER, rules: [changed.rules[1]] }, true);
  t.deepEqual(keys(pruned), ['delete rule urgent-calls']);
  t.deepEqual((await s.admin.rules.list()).map((r) => r.name), ['notify']);
});

eachDialect('KB categories: the tree and its rules are created, updated and pruned; articles stay out of the file', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const file = {
    ...HEADER,
    kbCategories: [
      { path: 'Billing' },
      { path: 'Billing/Refunds', rules: [{ role: 'supervisor', access: 'edit' }, { role: 'agent', access: 'read' }] },
      { path: 'Internal', rules: [{ role: 'supervisor', access: 'read' }] },
    ],
  } satisfies CenterFile;
  const plan = await s.admin.center.plan(file);
  t.deepEqual(keys(plan), ['create kb_category Billing', 'create kb_category Billing/Refunds', 'create kb_category Internal']);
  await s.admin.center.apply(file);
  t.deepEqual((await s.admin.center.plan(file)).changes, [], 'a second apply plans nothing (rules compared in any order)');
  const exported = await s.admin.center.export();
  t.deepEqual(exported.kbCategories, [
    { path: 'Billing', rules: [] },
    { path: 'Billing/Refunds', rules: [{ role: 'agent', access: 'read' }, { role: 'supervisor', access: 'edit' }] },
    { path: 'Internal', rules: [{ role: 'supervisor', access: 'read' }] },
  ]);
  t.false('articles' in exported);
  const b = await serve(t, { dialect });
  await b.admin.center.apply(exported);
  t.deepEqual(await b.admin.center.export(), exported);

  const changed = { ...HEADER, kbCategories: [file.kbCategories[0], { path: 'Billing/Refunds', rules: [] }, { path: 'Internal' }] };
  const p2 = await s.admin.center.apply(changed);
  t.deepEqual(p2.changes.map((c) => [c.action, c.key, c.fields.map((f) => f.field)]), [['update', 'Billing/Refunds', ['rules']]]);
  t.deepEqual((await s.admin.center.export()).kbCategories?.find((k) => k.path === 'Billing/Refunds')?.rules, []);

  const bad = await invalid(t, s, { ...HEADER, kbCategories: [{ path: 'Sales/Leads' }, { path: 'Sales', rules: [{ role: 'boss', access: 'read' }] }] });
  t.deepEqual(bad.details, [
    { path: '/kbCategories/0/path', message: 'parent "Sales" must exist or come earlier in the file' },
    { path: '/kbCategories/1/rules/0/role', message: 'must be one of admin, supervisor, agent, auditor' },
  ]);

  const pruned = await s.admin.center.apply({ ...HEADER, kbCategories: [{ path: 'Billing' }] }, true);
  t.deepEqual(keys(pruned), ['delete kb_category Internal', 'delete kb_category Billing/Refunds'], 'children before their parents');
  t.deepEqual((await s.admin.center.export()).kbCategories, [{ path: 'Billing', rules: [] }]);
});
