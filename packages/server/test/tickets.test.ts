/**
 * Tickets end to end over real HTTP on SQLite and MariaDB: create (by hand and from a call) with every
 * reference checked, show, list with filters and paging, update, the status transition table (409s
 * name the allowed targets; closed is final; resolved reopens), assignment, internal and public
 * comments, the field-by-field history, events and audit, and who may change what.
 */
import test, { type ExecutionContext } from 'ava';
import { ApiError } from '../src/client/index.js';
import { CallRow } from '../src/db/entities/index.js';
import type { TestServer } from '../src/testing.js';
import { STATUSES, TRANSITIONS, mayTransition } from '../src/tickets/status.js';
import { allAudit, allEvents, eachDialect, http, serve } from './helpers.js';

async function apiError(t: ExecutionContext, p: Promise<unknown>): Promise<ApiError> {
  return (await t.throwsAsync(p, { instanceOf: ApiError })) as ApiError;
}

async function callRecord(s: TestServer, id: string): Promise<void> {
  await s.server.services.store.writer.run((tx) => tx.em.save(CallRow, Object.assign(new CallRow(), {
    id, fromExt: '+14155550100', toExt: '1001', direction: 'inbound', state: 'ended', startedAt: new Date(), ringingAt: null,
    answeredAt: new Date(), endedAt: new Date(), hangupBy: 'caller', status: 200, reason: null, trunk: null,
  })));
}

test('the status table: closed is final, resolved reopens, nothing goes back to new', (t) => {
  t.deepEqual(TRANSITIONS.closed, []);
  t.true(mayTransition('resolved', 'open'));
  for (const from of STATUSES) {
    t.false(mayTransition(from, 'new'), `${from} -> new`);
    t.false(mayTransition(from, from), `${from} -> ${from}`);
  }
  t.false(mayTransition('resolved', 'pending'));
});

eachDialect('tickets: create with references checked, from a call, show, list (filters, paging), update; history, events, audit', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.agents.create({ extension: '1001', name: 'Alice' });
  await s.admin.queues.create({ name: 'support' });
  const customer = await s.admin.customers.create({ name: 'Ada Lovelace' });

  const bad = await apiError(t, s.admin.tickets.create({ subject: 'x', customerId: 999999, assignee: '9999', group: 'nope' }));
  t.is(bad.status, 400);
  t.deepEqual(bad.details.map((d) => d.path), ['/customerId', '/group', '/assignee']);
  t.is((await apiError(t, s.admin.tickets.create({ subject: 'x', sourceCallId: 'no-such-call' }))).status, 404, 'an unknown call is a 404');
  t.is((await apiError(t, s.admin.tickets.create({}))).status, 400, 'a subject is needed without a call');
  const badChannel = await http(s.url, 'POST', '/v1/tickets', { token: s.adminToken, body: { subject: 'x', channel: 'pigeon' } });
  t.is(badChannel.status, 400);

  const a = await s.admin.tickets.create({
    subject: ' Refund request ', description: 'Charged twice', customerId: customer.id, priority: 'high', group: 'support', tags: ['billing', 'billing', 'refund'],
  });
  t.like(a, {
    subject: 'Refund request', description: 'Charged twice', customerId: customer.id, channel: 'manual', priority: 'high', status: 'new',
    assignee: null, group: 'support', tags: ['billing', 'refund'], sourceCallId: null, createdBy: 'admin',
  });
  t.deepEqual(await s.admin.tickets.get(a.id), a);

  const callId = '11111111-2222-4333-8444-555555555555';
  await callRecord(s, callId);
  const b = await s.admin.tickets.create({ subject: 'Called about delivery', sourceCallId: callId, assignee: '1001' });
  t.like(b, { channel: 'phone', sourceCallId: callId, assignee: '1001', priority: 'normal', customerId: null });
  const c = await s.admin.tickets.create({ subject: 'Chat', channel: 'chat', priority: 'low' });

  t.deepEqual((await s.admin.tickets.list()).tickets.map((x) => x.id), [a.id, b.id, c.id]);
  const p1 = await s.admin.tickets.list({ limit: 2 });
  t.deepEqual(p1.tickets.map((x) => x.id), [a.id, b.id]);
  t.deepEqual((await s.admin.tickets.list({ limit: 2, after: p1.next! })).tickets.map((x) => x.id), [c.id]);
  t.deepEqual((await s.admin.tickets.list({ assignee: '1001' })).tickets.map((x) => x.id), [b.id]);
  t.deepEqual((await s.admin.tickets.list({ assignee: 'none' })).tickets.map((x) => x.id), [a.id, c.id]);
  t.deepEqual((await s.admin.tickets.list({ customerId: customer.id })).tickets.map((x) => x.id), [a.id]);
  t.deepEqual((await s.admin.tickets.list({ tag: 'refund' })).tickets.map((x) => x.id), [a.id]);
  t.deepEqual((await s.admin.tickets.list({ priority: 'low', status: 'new' })).tickets.map((x) => x.id), [c.id]);
  t.deepEqual((await s.admin.tickets.list({ group: 'support' })).tickets.map((x) => x.id), [a.id]);

  const u = await s.admin.tickets.update(a.id, { priority: 'urgent', tags: ['refund'], group: null, description: 'Charged twice' });
  t.like(u, { priority: 'urgent', tags: ['refund'], group: null, description: 'Charged twice' });
  t.is((await apiError(t, s.admin.tickets.update(a.id, { customerId: 424242 }))).status, 400);
  t.is((await apiError(t, s.admin.tickets.get(987654))).status, 404);
  t.is((await http(s.url, 'PATCH', `/v1/tickets/${a.id}`, { token: s.adminToken, body: { status: 'open' } })).status, 400, 'status changes only through /status');

  const history = await s.admin.tickets.history(a.id);
  t.deepEqual(history.map((h) => [h.field, h.before, h.after, h.actor]), [
    ['subject', null, 'Refund request', 'admin'],
    ['description', null, 'Charged twice', 'admin'],
    ['customerId', null, customer.id, 'admin'],
    ['channel', null, 'manual', 'admin'],
    ['priority', null, 'high', 'admin'],
    ['status', null, 'new', 'admin'],
    ['group', null, 'support', 'admin'],
    ['tags', null, ['billing', 'refund'], 'admin'],
    ['priority', 'high', 'urgent', 'admin'],
    ['group', 'support', null, 'admin'],
    ['tags', ['billing', 'refund'], ['refund'], 'admin'],
  ]);
  t.true(history.every((h) => !Number.isNaN(Date.parse(h.at))));

  const events = await allEvents(s, ['ticket.created', 'ticket.updated']);
  t.deepEqual(events.map((e) => e.type), ['ticket.created', 'ticket.created', 'ticket.created', 'ticket.updated']);
  t.like(events[3]!.payload, { by: 'admin', before: { priority: 'high' }, after: { priority: 'urgent' } });
  t.deepEqual((await allAudit(s)).filter((x) => x.subjectType === 'ticket').map((x) => x.action), ['ticket.created', 'ticket.created', 'ticket.created', 'ticket.updated']);
});

eachDialect('tickets: status transitions follow the table (409 names the allowed targets), assignment, comments; all in the history', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.agents.create({ extension: '1001', name: 'Alice' });
  const tk = await s.admin.tickets.create({ subject: 'Printer on fire' });

  for (const status of ['open', 'pending', 'open', 'resolved', 'open', 'resolved', 'closed'] as const) {
    t.is((await s.admin.tickets.setStatus(tk.id, status)).status, status);
  }
  const final = await http(s.url, 'POST', `/v1/tickets/${tk.id}/status`, { token: s.adminToken, body: { status: 'open' } });
  t.is(final.status, 409);
  t.deepEqual(final.body, {
    code: 'conflict', message: `ticket ${tk.id} cannot go from closed to open: closed is final`,
    details: [{ path: '/status', message: 'allowed from closed: none' }],
  });
  const t2 = await s.admin.tickets.create({ subject: 'Second' });
  await s.admin.tickets.setStatus(t2.id, 'resolved');
  const refused = await apiError(t, s.admin.tickets.setStatus(t2.id, 'pending'));
  t.is(refused.status, 409);
  t.is(refused.message, `ticket ${t2.id} cannot go from resolved to pending: allowed: open, closed`);

  t.is((await s.admin.tickets.assign(t2.id, '1001')).assignee, '1001');
  t.is((await apiError(t, s.admin.tickets.assign(t2.id, '4040'))).status, 400);
  t.is((await s.admin.tickets.assign(t2.id, null)).assignee, null);

  const internal = await s.admin.tickets.comment(t2.id, { text: 'customer sounded upset' });
  const pub = await s.admin.tickets.comment(t2.id, { text: 'We are on it.', public: true });
  t.like(internal, { ticketId: t2.id, author: 'admin', public: false, text: 'customer sounded upset' });
  t.like(pub, { public: true });
  t.deepEqual(await s.admin.tickets.comments(t2.id), [internal, pub]);

  const h = (await s.admin.tickets.history(t2.id)).slice(4).map((x) => [x.field, x.before, x.after]);
  t.deepEqual(h, [
    ['status', 'new', 'resolved'],
    ['assignee', null, '1001'],
    ['assignee', '1001', null],
    ['comment', null, { id: internal.id, public: false, fromCustomer: false }],
    ['comment', null, { id: pub.id, public: true, fromCustomer: false }],
  ]);
  const types = (await allEvents(s)).filter((e) => e.type.startsWith('ticket.')).map((e) => e.type);
  t.deepEqual(types.slice(-5), ['ticket.status_changed', 'ticket.assigned', 'ticket.assigned', 'ticket.commented', 'ticket.commented']);
  t.is(types.filter((x) => x === 'ticket.status_changed').length, 8);
});

eachDialect('tickets: agents create, comment and change unassigned or own tickets only; auditors read only', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const agent = await s.clientFor('agent');
  const auditor = await s.clientFor('auditor');
  const supervisor = await s.clientFor('supervisor');
  await s.admin.agents.create({ extension: '2001', name: 'Own', user: agent.user });
  await s.admin.agents.create({ extension: '2002', name: 'Other' });

  const mine = await agent.tickets.create({ subject: 'Mine', assignee: '2001' });
  t.is(mine.createdBy, agent.user);
  t.is((await apiError(t, agent.tickets.create({ subject: 'For someone else', assignee: '2002' }))).status, 403);
  const free = await agent.tickets.create({ subject: 'Unassigned' });
  t.is((await agent.tickets.update(free.id, { priority: 'high' })).priority, 'high');
  t.is((await agent.tickets.assign(free.id, '2001')).assignee, '2001', 'agents take unassigned tickets');
  t.is((await agent.tickets.setStatus(mine.id, 'open')).status, 'open');

  const theirs = await s.admin.tickets.create({ subject: 'Theirs', assignee: '2002' });
  const denied = await apiError(t, agent.tickets.update(theirs.id, { priority: 'low' }));
  t.is(denied.status, 403);
  t.regex(denied.message, /assigned to 2002/);
  t.is((await apiError(t, agent.tickets.setStatus(theirs.id, 'open'))).status, 403);
  t.is((await apiError(t, agent.tickets.assign(theirs.id, '2001'))).status, 403);
  t.is((await apiError(t, agent.tickets.assign(free.id, '2002'))).status, 403, 'agents do not hand tickets to others');
  t.like(await agent.tickets.comment(theirs.id, { text: 'I can help' }), { author: agent.user }, 'agents comment on any ticket');

  t.is((await supervisor.tickets.assign(theirs.id, '2001')).assignee, '2001', 'supervisors manage every ticket');
  t.is((await supervisor.tickets.update(mine.id, { priority: 'urgent' })).priority, 'urgent');

  t.is((await auditor.tickets.get(theirs.id)).id, theirs.id);
  t.true((await auditor.tickets.history(theirs.id)).length > 0);
  t.is((await apiError(t, auditor.tickets.create({ subject: 'x' }))).status, 403);
  t.is((await apiError(t, auditor.tickets.comment(theirs.id, { text: 'x' }))).status, 403);
});
