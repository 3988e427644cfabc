/**
 * Scheduled callbacks (workflow/callbacks.ts, callback-scheduler.ts): on SQLite and MariaDB the API
 * (validation paths, defaults from the customer, filters, cancel, roles, events and audit) and the
 * `schedule_callback` rule action (from customer.created and call.ended; the dry run schedules
 * nothing). On SQLite with real SIP test UAs: a due callback is dialled by click-to-call and answered ->
 * done; a declined one fails; an agent without a device fails an attempt, is retried after
 * `retryMinutes` on an injected FakeClock and fails after `maxAttempts`; one left dialing by a stopped
 * server is a failed attempt at the next start.
 */
import type { ExecutionContext } from 'ava';
import test from 'ava';
import { ApiError, type Callback } from '../src/client/index.js';
import { CallbackRow } from '../src/db/entities/index.js';
import { FakeClock } from '../src/sip/clock.js';
import type { TestServer } from '../src/testing.js';
import { allAudit, allEvents, eachDialect, serve, waitFor } from './helpers.js';
import { agentAnswers, agentsServer, toTag } from './sip-agents.js';
import { SDP_ANSWER } from './sip-call-ua.js';
import { getHeader } from '../src/sip/message.js';

async function apiError(t: ExecutionContext, p: Promise<unknown>): Promise<ApiError> {
  return (await t.throwsAsync(p, { instanceOf: ApiError })) as ApiError;
}

/** Wait until callback `id` satisfies `ok`. */
function callbackWhere(s: TestServer, id: number, what: string, ok: (c: Callback) => boolean): Promise<Callback> {
  return waitFor(what, async () => {
    const c = await s.admin.callbacks.get(id);
    return ok(c) ? c : null;
  });
}

const callbackEvents = async (s: TestServer, id: number) =>
  (await allEvents(s)).filter((e) => e.type.startsWith('callback.') && (e.payload['after'] as Callback).id === id).map((e) => e.type);

eachDialect('callbacks: validation, defaults from the customer, filters, cancel, roles, events and audit', async (t, dialect) => {
  const s = await serve(t, { dialect, overrides: { 'crm.defaultRegion': 'DE' } });
  await s.admin.agents.create({ extension: '1001', name: 'Alice' });
  await s.admin.agents.create({ extension: '1002', name: 'Bob' });
  const ada = await s.admin.customers.create({ name: 'Ada', phones: [{ number: '+49 30 1234567' }], preferredAgent: '1002' });
  const plain = await s.admin.customers.create({ name: 'Nobody' });

  const start = Date.now();
  const a = await s.admin.callbacks.create({ customerId: ada.id, inMinutes: 60, note: 'about the invoice' });
  t.like(a, { number: '+49301234567', customerId: ada.id, agent: '1002', status: 'scheduled', attempts: 0, maxAttempts: 3, retryMinutes: 10, callId: null, lastError: null, note: 'about the invoice', createdBy: 'admin' });
  const due = Date.parse(a.dueAt) - start;
  t.true(due >= 60 * 60_000 - 1000 && due <= 60 * 60_000 + 60_000, `due in an hour (${due} ms)`);
  const b = await s.admin.callbacks.create({ number: '030 1234567', dueAt: '2030-01-02T03:04:05+01:00', maxAttempts: 5, retryMinutes: 2 });
  t.like(b, { number: '+49301234567', customerId: ada.id, agent: '1002', dueAt: '2030-01-02T02:04:05.000Z', maxAttempts: 5, retryMinutes: 2 }, 'the number finds its customer and her preferred agent');
  const agentClient = await s.clientFor('agent');
  const c = await agentClient.callbacks.create({ number: '1001', agent: '1002', inMinutes: 30 });
  t.like(c, { number: '1001', customerId: null, agent: '1002', createdBy: agentClient.user }, "an agent's extension is a number too");

  let err = await apiError(t, s.admin.callbacks.create({ number: '+1 415 555 0100', inMinutes: 5 }));
  t.is(err.status, 400);
  t.deepEqual(err.details.map((d) => d.path), ['/agent']);
  t.is(err.details[0]!.message, 'name the agent to call back from: the number belongs to no customer with a preferred agent, and there is no ACD yet to hand a callback to a queue');
  err = await apiError(t, s.admin.callbacks.create({ customerId: plain.id, agent: '1001' }));
  t.deepEqual(err.details, [{ path: '/number', message: `customer ${plain.id} has no phone number: give one` }]);
  err = await apiError(t, s.admin.callbacks.create({ number: 'call me', agent: '9999', dueAt: '2030-01-02T03:04' }));
  t.deepEqual(err.details.map((d) => d.path).sort(), ['/agent', '/dueAt', '/number']);
  t.true(err.details.some((d) => /not an ISO 8601 time with a zone/.test(d.message)));
  err = await apiError(t, s.admin.callbacks.create({ number: '1001', agent: '1002', dueAt: '2030-01-02T03:04:05Z', inMinutes: 3 }));
  t.deepEqual(err.details, [{ path: '/dueAt', message: 'give dueAt or inMinutes, not both' }]);
  err = await apiError(t, s.admin.callbacks.create({ agent: '1001' }));
  t.deepEqual(err.details, [{ path: '/number', message: 'give a number or a customer with a phone number' }]);
  err = await apiError(t, s.admin.callbacks.create({ customerId: 999999, agent: '1001' }));
  t.deepEqual(err.details.map((d) => d.path), ['/customerId']);
  t.is((await apiError(t, s.admin.callbacks.create({ number: '1001', agent: '1002', extra: 1 } as never))).status, 400, 'unknown fields are refused');

  t.deepEqual((await s.admin.callbacks.list()).map((x) => x.id), [a.id, b.id, c.id]);
  t.deepEqual((await s.admin.callbacks.list({ agent: '1002', customerId: ada.id })).map((x) => x.id), [a.id, b.id]);
  t.deepEqual((await s.admin.callbacks.list({ after: a.id, limit: 1 })).map((x) => x.id), [b.id]);
  t.deepEqual(await s.admin.callbacks.get(c.id), c);
  t.is((await apiError(t, s.admin.callbacks.get(999999))).status, 404);
  t.is((await apiError(t, s.admin.callbacks.get('x'))).status, 404);

  const cancelled = await agentClient.callbacks.cancel(b.id);
  t.like(cancelled, { id: b.id, status: 'cancelled' });
  err = await apiError(t, s.admin.callbacks.cancel(b.id));
  t.is(err.status, 409);
  t.regex(err.message, /is cancelled: it cannot become cancelled/);
  t.deepEqual((await s.admin.callbacks.list({ status: 'cancelled' })).map((x) => x.id), [b.id]);

  const auditor = await s.clientFor('auditor');
  t.is((await auditor.callbacks.list()).length, 3);
  t.is((await apiError(t, auditor.callbacks.create({ number: '1001', agent: '1002' }))).status, 403);
  t.is((await apiError(t, auditor.callbacks.cancel(a.id))).status, 403);

  t.deepEqual(await callbackEvents(s, b.id), ['callback.scheduled', 'callback.cancelled']);
  const audit = (await allAudit(s)).filter((e) => e.subjectType === 'callback' && e.subjectId === String(b.id));
  t.deepEqual(audit.map((e) => [e.action, e.actor]), [['callback.scheduled', 'admin'], ['callback.cancelled', agentClient.user]]);
  t.deepEqual(await s.admin.callbacks.list({ status: 'dialing' }), [], 'nothing was due, nothing was dialled');
});

eachDialect('callbacks: the schedule_callback rule action from customer.created and call.ended; the dry run schedules nothing', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.agents.create({ extension: '1001', name: 'Alice' });
  await s.admin.agents.create({ extension: '1002', name: 'Bob' });
  const bad = await apiError(t, s.admin.rules.create({ name: 'bad', trigger: 'call.ended', actions: [{ type: 'schedule_callback', text: 'x' }] }));
  t.deepEqual(bad.details.map((d) => d.path).sort(), ['/actions/0/inMinutes', '/actions/0/text']);

  await s.admin.rules.create({ name: 'welcome', trigger: 'customer.created', actions: [{ type: 'schedule_callback', inMinutes: 30, note: 'welcome {{payload.after.name}}' }] });
  const missed = await s.admin.rules.create({
    name: 'missed', trigger: 'call.ended', conditions: [{ field: 'payload.status', op: 'ne', value: 200 }],
    actions: [{ type: 'schedule_callback', inMinutes: 10, agent: '{{agentId}}' }],
  });
  const event = { type: 'call.ended', subjectType: 'call', subjectId: 'c-1', agentId: '1001', callId: 'c-1', payload: { from: '+14155550100', to: '1001', direction: 'inbound', status: 487 } };
  const dry = await s.admin.rules.test(missed.id, event);
  t.deepEqual(dry.actions, [{ type: 'schedule_callback', params: { inMinutes: 10, agent: '1001', number: '+14155550100' } }]);
  const out = await s.admin.rules.test(missed.id, { ...event, payload: { ...event.payload, direction: 'outbound', from: '1001', to: '+14155550199' } });
  t.is(out.actions[0]!.params['number'], '+14155550199', 'an outbound call is called back at the dialled number');
  await s.server.ruleEngine.idle();
  t.deepEqual(await s.admin.callbacks.list(), [], 'the dry run scheduled nothing');

  const ada = await s.admin.customers.create({ name: 'Ada', phones: [{ number: '+1 415 555 0123' }], preferredAgent: '1002' });
  await s.server.services.store.writer.run((tx) => s.server.services.store.events.append(tx, { ...event }));
  const made = await waitFor('two callbacks', async () => {
    const l = await s.admin.callbacks.list();
    return l.length === 2 ? l : null;
  });
  const welcome = made.find((c) => c.createdBy === 'rule:welcome');
  t.like(welcome, { number: '+14155550123', customerId: ada.id, agent: '1002', note: 'welcome Ada', status: 'scheduled' });
  t.like(made.find((c) => c.createdBy === 'rule:missed'), { number: '+14155550100', customerId: null, agent: '1001', status: 'scheduled' });

  // A customer without phone: the rule fails (rule.failed names the problem) and nothing half-happens.
  await s.admin.customers.create({ name: 'Mute', preferredAgent: '1002' });
  const failed = await waitFor('rule.failed', async () => (await allEvents(s, ['rule.failed']))[0]);
  t.like(failed.payload, { rule: 'welcome', message: 'the callback is not valid' });
  await s.server.ruleEngine.idle();
  t.is((await s.admin.callbacks.list()).length, 2);
});

test('callbacks: a due callback is dialled by click-to-call; answered -> done; declined -> failed', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const cb = await s.admin.callbacks.create({ number: '1002', agent: '1001', note: 'customer asked' });

  const agentInvite = await agentAnswers(a);
  t.is(agentInvite.body.length, 0, 'the agent is called first, without an offer');
  t.regex(getHeader(agentInvite, 'From')!, /^<sip:1002@/, 'the agent sees whom it calls back');
  const dialing = await callbackWhere(s, cb.id, 'dialing with its call', (c) => c.status === 'dialing' && c.callId !== null);
  t.is(dialing.attempts, 1);
  const targetInvite = await b.request('INVITE');
  await b.reply(targetInvite, 200, 'OK', { toTag: toTag(targetInvite), sdp: SDP_ANSWER });
  await b.requestIn(getHeader(targetInvite, 'Call-ID')!, 'ACK');
  await a.requestIn(getHeader(agentInvite, 'Call-ID')!, 'ACK');
  const done = await callbackWhere(s, cb.id, 'done', (c) => c.status === 'done');
  t.like(done, { attempts: 1, callId: dialing.callId, lastError: null });
  t.like(await s.admin.calls.get(dialing.callId!), { from: '1001', to: '1002', state: 'answered' });
  const hangup = a.byeAsCallee(agentInvite, toTag(agentInvite));
  const bye = await b.requestIn(getHeader(targetInvite, 'Call-ID')!, 'BYE');
  await b.reply(bye, 200, 'OK');
  t.is((await hangup).status, 200);
  await s.server.callbackScheduler.idle();
  t.is((await s.admin.callbacks.get(cb.id)).status, 'done', 'the end of an answered call changes nothing');
  t.deepEqual(await callbackEvents(s, cb.id), ['callback.scheduled', 'callback.dialing', 'callback.done']);

  const once = await s.admin.callbacks.create({ number: '1002', agent: '1001', maxAttempts: 1 });
  const invite = await a.request('INVITE');
  await a.reply(invite, 603, 'Decline', { toTag: toTag(invite) });
  await a.request('ACK');
  const failed = await callbackWhere(s, once.id, 'failed', (c) => c.status === 'failed');
  t.like(failed, { attempts: 1, lastError: 'not answered: 603 agent 1001: Decline' });
  t.is(b.queueLength(), 0, 'the customer never rang');
});

test('callbacks: an agent without a device fails the attempt; retried after retryMinutes (FakeClock), failed after maxAttempts', async (t) => {
  const clock = new FakeClock();
  const base = Date.now();
  const { s } = await agentsServer(t, { rules: { clock, now: () => new Date(base + clock.now()) } });
  const cb = await s.admin.callbacks.create({ number: '1002', agent: '1001', maxAttempts: 2, retryMinutes: 5 });
  t.is(cb.dueAt, new Date(base).toISOString());
  const retry = await callbackWhere(s, cb.id, 'first attempt failed', (c) => c.attempts === 1 && c.status === 'scheduled');
  t.like(retry, { lastError: 'agent 1001 has no registered device', dueAt: new Date(base + 5 * 60_000).toISOString(), callId: null });
  await s.server.callbackScheduler.idle();
  clock.advance(5 * 60_000 - 1);
  await s.server.callbackScheduler.idle();
  t.is((await s.admin.callbacks.get(cb.id)).attempts, 1, 'not before its time');
  clock.advance(1);
  const failed = await callbackWhere(s, cb.id, 'failed', (c) => c.status === 'failed');
  t.like(failed, { attempts: 2, lastError: 'agent 1001 has no registered device' });
  t.deepEqual(await callbackEvents(s, cb.id), ['callback.scheduled', 'callback.dialing', 'callback.scheduled', 'callback.dialing', 'callback.failed']);
  t.deepEqual(await s.admin.calls.list(), [], 'no call was started');
});

test('callbacks: one left dialing by a stopped server is a failed attempt at the next start', async (t) => {
  const s = await serve(t);
  await s.admin.agents.create({ extension: '1001', name: 'Alice' });
  const cb = await s.admin.callbacks.create({ number: '+14155550100', agent: '1001', inMinutes: 60 });
  // As if the server had stopped between claiming the callback and hearing how its call ended.
  await s.server.services.store.writer.run((tx) => tx.em.update(CallbackRow, { id: cb.id }, { status: 'dialing', attempts: 1, callId: 'gone' }));
  await s.restart();
  const retry = await callbackWhere(s, cb.id, 'rescheduled', (c) => c.status === 'scheduled');
  t.like(retry, { attempts: 1, lastError: 'the server stopped while the callback was being dialled' });
});
