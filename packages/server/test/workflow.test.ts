/**
 * Workflow rules end to end on SQLite and MariaDB: CRUD with validation paths and role checks, rules
 * triggered by ticket.created, customer.created and call.ended (appended straight to the event log in a
 * writer transaction), conditions, audit as `rule:<name>`, the dry run changing nothing, loop
 * protection between two rules that trigger each other, a signed webhook to a local HTTP server
 * (HMAC, idempotency key, a 500 retried after a short injected backoff), and a cron rule fired by an
 * injected FakeClock.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { ApiError } from '../src/client/index.js';
import { FakeClock } from '../src/sip/clock.js';
import type { TestServer } from '../src/testing.js';
import { allAudit, allEvents, eachDialect, serve, waitFor } from './helpers.js';

async function apiError(t: ExecutionContext, p: Promise<unknown>): Promise<ApiError> {
  return (await t.throwsAsync(p, { instanceOf: ApiError })) as ApiError;
}

/** Append an event as the call records would (call.ended), in a writer transaction. */
async function appendEvent(s: TestServer, type: string, subjectId: string, payload: Record<string, unknown>, callId: string | null = null): Promise<void> {
  await s.server.services.store.writer.run((tx) => s.server.services.store.events.append(tx, { type, subjectType: 'call', subjectId, callId, payload }));
}

eachDialect('rules: CRUD, validation paths, roles; ticket.created and customer.created run actions audited as the rule', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.agents.create({ extension: '1001', name: 'Alice' });
  const bad = await apiError(t, s.admin.rules.create({ name: 'bad', trigger: 'ticket.created', conditions: [{ field: 'x', op: 'in', value: 1 }], actions: [{ type: 'update_ticket' }] }));
  t.is(bad.status, 400);
  t.deepEqual(bad.details.map((d) => d.path), ['/conditions/0/value', '/actions/0']);

  const urgent = await s.admin.rules.create({
    name: 'urgent-to-alice', trigger: 'ticket.created',
    conditions: [{ field: 'payload.after.priority', op: 'eq', value: 'urgent' }, { field: '/payload/after/subject', op: 'matches', value: '^Outage' }],
    actions: [{ type: 'update_ticket', tags: ['escalated'], status: 'open' }, { type: 'assign_ticket', assignee: '1001' }],
  });
  t.like(urgent, { name: 'urgent-to-alice', enabled: true, triggerKind: 'event', hasSecret: false });
  t.is(urgent.secret, undefined);
  await s.admin.rules.create({ name: 'welcome', trigger: 'customer.*', conditions: [{ field: 'type', op: 'eq', value: 'customer.created' }], actions: [{ type: 'add_customer_note', text: 'Welcome {{payload.after.name}}' }] });
  const dup = await apiError(t, s.admin.rules.create({ name: 'welcome', trigger: 'x', actions: [{ type: 'add_customer_note', text: 'x' }] }));
  t.is(dup.status, 409);
  t.deepEqual((await s.admin.rules.list()).map((r) => r.name), ['urgent-to-alice', 'welcome']);
  t.is((await s.admin.rules.get('urgent-to-alice')).id, urgent.id);

  // Roles: supervisors read and test but do not write; auditors read; agents see nothing.
  const sup = await s.clientFor('supervisor');
  const aud = await s.clientFor('auditor');
  const agent = await s.clientFor('agent');
  t.is((await sup.rules.list()).length, 2);
  t.is((await aud.rules.get(urgent.id)).name, 'urgent-to-alice');
  t.is((await apiError(t, sup.rules.disable(urgent.id))).status, 403);
  t.is((await apiError(t, agent.rules.list())).status, 403);

  const matching = await s.admin.tickets.create({ subject: 'Outage in Berlin', priority: 'urgent' });
  const other = await s.admin.tickets.create({ subject: 'Outage in Paris', priority: 'normal' });
  const done = await waitFor('the rule to assign the ticket', async () => {
    const tk = await s.admin.tickets.get(matching.id);
    return tk.assignee === '1001' ? tk : null;
  });
  t.deepEqual(done.tags, ['escalated']);
  t.is(done.status, 'open');
  const customer = await s.admin.customers.create({ name: 'Grace Hopper' });
  const notes = await waitFor('the welcome note', async () => {
    const n = await s.admin.customers.notes.list(customer.id);
    return n.length ? n : null;
  });
  t.is(notes[0]!.text, 'Welcome Grace Hopper');
  t.is(notes[0]!.author, 'rule:welcome');
  await s.server.ruleEngine.idle();
  t.like(await s.admin.tickets.get(other.id), { assignee: null, tags: [], status: 'new' });
  const audit = (await allAudit(s)).filter((a) => a.actor === 'rule:urgent-to-alice');
  t.deepEqual(audit.map((a) => a.action), ['ticket.updated', 'ticket.status_changed', 'ticket.assigned']);

  // Disabled rules do not run; deleting removes the rule.
  await s.admin.rules.disable(urgent.id);
  const third = await s.admin.tickets.create({ subject: 'Outage again', priority: 'urgent' });
  await s.server.ruleEngine.idle();
  t.is((await s.admin.tickets.get(third.id)).assignee, null);
  await s.admin.rules.delete('welcome');
  t.is((await apiError(t, s.admin.rules.get('welcome'))).status, 404);
  t.deepEqual((await allEvents(s, ['rule.*'])).map((e) => e.type), ['rule.created', 'rule.created', 'rule.updated', 'rule.deleted']);
});

eachDialect('rules: call.ended creates a ticket from templates; the dry run renders the same and changes nothing', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const rule = await s.admin.rules.create({
    name: 'long-calls', trigger: 'call.ended',
    conditions: [{ field: 'payload.durationSeconds', op: 'gt', value: 30 }],
    actions: [{ type: 'create_ticket', subject: 'Call from {{payload.from}}', description: 'Call {{callId}} lasted {{payload.durationSeconds}} s', priority: 'high', tags: ['call'] }],
  });
  const event = { type: 'call.ended', subjectType: 'call', subjectId: 'c-1', callId: 'c-1', payload: { from: '+14155550100', durationSeconds: 42 } };

  const sup = await s.clientFor('supervisor');
  const before = await s.server.services.store.events.lastCursor();
  const dry = await s.admin.rules.test(rule.id, event);
  t.deepEqual(dry, {
    rule: 'long-calls', triggerMatches: true, wouldRun: true,
    conditions: [{ field: 'payload.durationSeconds', op: 'gt', actual: 42, holds: true }],
    actions: [{ type: 'create_ticket', params: { subject: 'Call from +14155550100', description: 'Call c-1 lasted 42 s', priority: 'high', tags: ['call'] } }],
  });
  const short = await sup.rules.test('long-calls', { ...event, payload: { durationSeconds: 5 } });
  t.like(short, { triggerMatches: true, wouldRun: false, actions: [] });
  t.false((await sup.rules.test('long-calls', { ...event, type: 'call.abandoned' })).triggerMatches);
  await s.server.ruleEngine.idle();
  t.is((await s.admin.tickets.list()).tickets.length, 0, 'the dry run created nothing');
  t.is(await s.server.services.store.events.lastCursor(), before, 'the dry run appended no event');

  await appendEvent(s, 'call.ended', 'c-2', { from: '+14155550111', durationSeconds: 5 }, 'c-2');
  await appendEvent(s, 'call.ended', 'c-1', event.payload, 'c-1');
  const tickets = await waitFor('the ticket from the call', async () => {
    const page = await s.admin.tickets.list();
    return page.tickets.length ? page.tickets : null;
  });
  await s.server.ruleEngine.idle();
  t.is((await s.admin.tickets.list()).tickets.length, 1, 'the short call made no ticket');
  t.like(tickets[0], { subject: 'Call from +14155550100', description: 'Call c-1 lasted 42 s', priority: 'high', tags: ['call'], channel: 'phone', createdBy: 'rule:long-calls' });
});

eachDialect('rules: two rules that trigger each other are each stopped (rule.loop_stopped); a failing rule logs rule.failed', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const up = await s.admin.rules.create({ name: 'ping', trigger: 'ticket.updated', actions: [{ type: 'update_ticket', priority: 'high' }] });
  const down = await s.admin.rules.create({ name: 'pong', trigger: 'ticket.updated', actions: [{ type: 'update_ticket', priority: 'low' }] });
  const tk = await s.admin.tickets.create({ subject: 'Loop' });
  await s.admin.tickets.update(tk.id, { subject: 'Loop!' });
  const stopped = await waitFor('both rules stopped', async () => {
    const ev = await allEvents(s, ['rule.loop_stopped']);
    const ids = new Set(ev.map((e) => e.payload['rule']));
    return ids.has('ping') && ids.has('pong') ? ev : null;
  });
  await s.server.ruleEngine.idle();
  for (const e of stopped) t.true((e.payload['chain'] as number[]).includes(e.payload['rule'] === 'ping' ? up.id : down.id));
  const updates = (await allEvents(s, ['ticket.updated'])).length;
  t.true(updates <= 4, `the loop ended after ${updates} updates`);
  // Nothing runs any more: a fresh quiet period leaves the event log unchanged.
  const last = await s.server.services.store.events.lastCursor();
  await s.server.ruleEngine.idle();
  t.is(await s.server.services.store.events.lastCursor(), last);

  await s.admin.rules.disable(up.id);
  await s.admin.rules.disable(down.id);
  await s.admin.rules.create({ name: 'broken', trigger: 'ticket.created', actions: [{ type: 'assign_ticket', assignee: '9999' }] });
  const t2 = await s.admin.tickets.create({ subject: 'Nobody' });
  const failed = await waitFor('rule.failed', async () => (await allEvents(s, ['rule.failed']))[0]);
  t.like(failed.payload, { rule: 'broken', eventType: 'ticket.created' });
  t.is((await s.admin.tickets.get(t2.id)).assignee, null);
  t.is((await s.admin.status()).version.length > 0, true, 'the server still answers');
});

eachDialect('rules: a chain of rules stops at the maximum depth (rule.loop_stopped names the chain)', async (t, dialect) => {
  const s = await serve(t, { dialect, rules: { maxDepth: 1 } });
  const first = await s.admin.rules.create({ name: 'raise', trigger: 'ticket.created', actions: [{ type: 'update_ticket', priority: 'high' }] });
  await s.admin.rules.create({ name: 'tag', trigger: 'ticket.updated', actions: [{ type: 'update_ticket', tags: ['chained'] }] });
  const tk = await s.admin.tickets.create({ subject: 'Deep' });
  const stopped = await waitFor('rule.loop_stopped', async () => (await allEvents(s, ['rule.loop_stopped']))[0]);
  await s.server.ruleEngine.idle();
  t.like(stopped.payload, { rule: 'tag', chain: [first.id], reason: 'a chain of 1 rules reached the limit of 1' });
  t.like(await s.admin.tickets.get(tk.id), { priority: 'high', tags: [] });
});

eachDialect('rules: webhook signed with HMAC-SHA256, idempotency key, a 500 retried with backoff, deliveries logged', async (t, dialect) => {
  const sleeps: number[] = [];
  const s = await serve(t, { dialect, rules: { webhook: { backoffMs: 7, sleep: async (ms) => void sleeps.push(ms) } } });
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = received.length === 1 ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => hook.close(() => r())));
  const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  const rule = await s.admin.rules.create({ name: 'notify', trigger: 'ticket.created', actions: [{ type: 'webhook', url, attempts: 3 }] });
  t.true(rule.hasSecret);
  const secret = rule.secret!;
  t.true(secret.length >= 16);
  t.is((await s.admin.rules.get(rule.id)).secret, undefined, 'the key is shown only once');
  t.false(JSON.stringify(await allEvents(s)).includes(secret), 'the key is in no event');

  await s.admin.tickets.create({ subject: 'Hook me' });
  const delivered = await waitFor('the delivery', async () => (await allEvents(s, ['rule.webhook_delivered']))[0]);
  t.is(received.length, 2);
  const created = (await allEvents(s, ['ticket.created']))[0]!;
  for (const r of received) {
    t.is(r.headers['x-hotline-signature'], `sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`);
    t.is(r.headers['idempotency-key'], `${created.cursor}-${rule.id}`);
    t.is(r.headers['content-type'], 'application/json');
  }
  t.is(received[0]!.body, received[1]!.body);
  const body = JSON.parse(received[0]!.body) as { rule: { name: string }; event: { type: string; cursor: number } };
  t.like(body, { rule: { name: 'notify' }, event: { type: 'ticket.created', cursor: created.cursor } });
  t.deepEqual(sleeps, [7]);
  t.deepEqual(delivered.payload['attempts'], [{ attempt: 1, status: 500, error: null }, { attempt: 2, status: 200, error: null }]);
});

eachDialect('rules: shutdown ends webhook retries at once and logs the delivery as failed', async (t, dialect) => {
  const s = await serve(t, { dialect, rules: { webhook: { backoffMs: 3_600_000 } } });
  let hits = 0;
  const hook = createServer((req, res) => {
    hits++;
    req.resume();
    res.statusCode = 503;
    res.end();
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => hook.close(() => r())));
  const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  await s.admin.rules.create({ name: 'down-hook', trigger: 'ticket.created', actions: [{ type: 'webhook', url, attempts: 5 }] });
  await s.admin.tickets.create({ subject: 'Hook down' });
  await waitFor('the first attempt', () => hits === 1);
  await s.restart(); // would wait an hour for the second attempt if stopping did not abort it
  const failed = await waitFor('rule.failed', async () => (await allEvents(s, ['rule.failed']))[0]);
  t.is(hits, 1);
  t.like(failed.payload, { rule: 'down-hook', message: 'webhook delivery failed' });
  // The stop came during the first attempt's answer or during the wait after it.
  const attempts = failed.payload['attempts'] as Array<{ status: number | null; error: string | null }>;
  t.true(attempts.length <= 2);
  t.regex(attempts.at(-1)!.error ?? '', /shutting down/);
});

eachDialect('rules: a cron rule runs at its scheduled minutes on an injected clock', async (t, dialect) => {
  const base = Date.UTC(2026, 0, 5, 8, 0, 30); // a Monday, 08:00:30 UTC
  const clock = new FakeClock();
  const s = await serve(t, { dialect, rules: { clock, now: () => new Date(base + clock.now()) } });
  await s.admin.rules.create({ name: 'every-5', trigger: '*/5 * * * *', actions: [{ type: 'create_ticket', subject: 'Check at {{payload.scheduledAt}}', tags: ['cron'] }] });
  const dry = await s.admin.rules.test('every-5', { type: 'rule.scheduled', payload: { scheduledAt: 'X' } });
  t.like(dry, { triggerMatches: true, wouldRun: true, actions: [{ type: 'create_ticket', params: { subject: 'Check at X' } }] });
  clock.advance(4 * 60_000); // 08:04:30: minutes 1-4 fire, none matches
  await s.server.ruleEngine.idle();
  t.is((await s.admin.tickets.list()).tickets.length, 0);
  clock.advance(6 * 60_000); // 08:10:30: 08:05 and 08:10 match
  const tickets = await waitFor('two scheduled tickets', async () => {
    const page = await s.admin.tickets.list();
    return page.tickets.length >= 2 ? page.tickets : null;
  });
  await s.server.ruleEngine.idle();
  t.deepEqual((await s.admin.tickets.list()).tickets.map((x) => x.subject), ['Check at 2026-01-05T08:05:00.000Z', 'Check at 2026-01-05T08:10:00.000Z']);
  t.is(tickets[0]!.createdBy, 'rule:every-5');
});
