/**
 * Tickets and calls, and editing SLA settings, over real HTTP on SQLite and MariaDB: a ticket from a
 * call record (channel phone, default subject, the customer matched by the call's remote number when
 * exactly one matches, 404 for an unknown call), the workflow rule `call.ended -> create_ticket` passing
 * the call through, the customer timeline listing tickets, and PATCH of SLA policies and calendars.
 */
import type { ExecutionContext } from 'ava';
import { ApiError } from '../src/client/index.js';
import { CallRow } from '../src/db/entities/index.js';
import type { TestServer } from '../src/testing.js';
import { allAudit, eachDialect, serve, waitFor } from './helpers.js';

async function status(t: ExecutionContext, p: Promise<unknown>): Promise<number> {
  return ((await t.throwsAsync(p, { instanceOf: ApiError })) as ApiError).status;
}

/** A finished call as the B2BUA records it (calls/records.ts): the row and, when asked, its call.ended event, in one write. */
async function endedCall(s: TestServer, id: string, from: string, to: string, direction: 'inbound' | 'outbound', event = false): Promise<void> {
  const store = s.server.services.store;
  const at = new Date('2026-05-04T09:00:00Z');
  await store.writer.run(async (tx) => {
    await tx.em.save(CallRow, Object.assign(new CallRow(), {
      id, fromExt: from, toExt: to, direction, state: 'ended', startedAt: at, ringingAt: at, answeredAt: at, endedAt: at, hangupBy: 'caller', status: 200, reason: null, trunk: null,
    }));
    if (event) {
      await store.events.append(tx, {
        type: 'call.ended', subjectType: 'call', subjectId: id, callId: id, agentId: '1001',
        payload: { from, to, direction, trunk: null, state: 'ended', hangupBy: 'caller', status: 200, reason: null },
      });
    }
  });
}

eachDialect('tickets from calls: phone channel, default subject, customer matched when exactly one; 404 for unknown calls; timeline lists tickets', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const ada = await s.admin.customers.create({ name: 'Ada Lovelace', phones: ['+4930123456'] });
  const twinA = await s.admin.customers.create({ name: 'Twin A', phones: ['+14155550111'] });
  await s.admin.customers.create({ name: 'Twin B', phones: ['+14155550111'] });
  await endedCall(s, 'call-ada', '004930123456', '1001', 'inbound');
  await endedCall(s, 'call-ada-national', '030123456', '1001', 'inbound');
  await endedCall(s, 'call-out', '1001', '+4930123456', 'outbound');
  await endedCall(s, 'call-twins', '14155550111', '1001', 'inbound');
  await endedCall(s, 'call-stranger', '+4940999999', '1001', 'inbound');

  const a = await s.admin.tickets.create({ sourceCallId: 'call-ada' });
  t.like(a, { subject: 'Call from 004930123456', channel: 'phone', customerId: ada.id, sourceCallId: 'call-ada', status: 'new' });
  t.like(await s.admin.tickets.create({ sourceCallId: 'call-ada-national' }), { customerId: ada.id });
  t.like(await s.admin.tickets.create({ sourceCallId: 'call-out', subject: 'Called back' }), { subject: 'Called back', customerId: ada.id, channel: 'phone' });
  t.like(await s.admin.tickets.create({ sourceCallId: 'call-twins' }), { subject: 'Call from 14155550111', customerId: null }, 'two customers share the number');
  t.like(await s.admin.tickets.create({ sourceCallId: 'call-stranger' }), { customerId: null });
  t.like(await s.admin.tickets.create({ sourceCallId: 'call-twins', customerId: twinA.id }), { customerId: twinA.id }, 'a given customer wins');
  t.like(await s.admin.tickets.create({ sourceCallId: 'call-ada', customerId: null }), { customerId: null }, 'null: explicitly no customer');
  t.like(await s.admin.tickets.create({ sourceCallId: 'call-ada', channel: 'email' }), { channel: 'email' });
  t.is(await status(t, s.admin.tickets.create({ sourceCallId: 'no-such-call' })), 404);
  t.is(await status(t, s.admin.tickets.create({ subject: 'x', sourceCallId: 'call-ada', customerId: 424242 })), 400);
  const agent = await s.clientFor('agent');
  t.like(await agent.tickets.create({ sourceCallId: 'call-ada' }), { customerId: ada.id, createdBy: agent.user });

  // The timeline: notes, calls and tickets, newest first (tickets by creation time).
  const note = await s.admin.customers.notes.add(ada.id, 'prefers email');
  const timeline = await s.admin.customers.timeline(ada.id);
  t.deepEqual(timeline.map((i) => i.kind).sort(), ['call', 'call', 'call', 'note', 'ticket', 'ticket', 'ticket', 'ticket', 'ticket']);
  const first = timeline.find((i) => i.kind === 'ticket' && i.id === String(a.id))!;
  t.like(first, { summary: `ticket #${a.id} (new): Call from 004930123456`, ticket: { id: a.id, subject: 'Call from 004930123456', status: 'new', priority: 'normal', channel: 'phone', sourceCallId: 'call-ada' } });
  t.is(timeline[0]!.id, String(note.id), 'newest first');
  await s.admin.tickets.setStatus(a.id, 'open');
  t.like((await s.admin.customers.timeline(ada.id)).find((i) => i.id === String(a.id) && i.kind === 'ticket'), { ticket: { status: 'open' } });
  t.deepEqual((await s.admin.customers.timeline(twinA.id)).filter((i) => i.kind === 'ticket').map((i) => i.ticket!.sourceCallId), ['call-twins']);
});

eachDialect('workflow: a rule on call.ended creates a ticket linked to the call, with the matched customer', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const grace = await s.admin.customers.create({ name: 'Grace Hopper', phones: ['+14155550177'] });
  await s.admin.rules.create({
    name: 'ticket-per-call', trigger: 'call.ended', conditions: [{ field: 'payload.direction', op: 'eq', value: 'inbound' }],
    actions: [{ type: 'create_ticket', subject: 'Call from {{payload.from}}', priority: 'high', tags: ['call'] }],
  });
  await endedCall(s, 'call-rule-1', '14155550177', '1001', 'inbound', true);
  await endedCall(s, 'call-rule-2', '1001', '14155550177', 'outbound', true);
  const ticket = await waitFor('the rule to create the ticket', async () => (await s.admin.tickets.list()).tickets[0]);
  await s.server.ruleEngine.idle();
  t.like(ticket, { subject: 'Call from 14155550177', channel: 'phone', sourceCallId: 'call-rule-1', customerId: grace.id, priority: 'high', tags: ['call'], createdBy: 'rule:ticket-per-call' });
  t.is((await s.admin.tickets.list()).tickets.length, 1, 'the outbound call does not match the condition');
  t.deepEqual((await allAudit(s)).filter((a) => a.actor === 'rule:ticket-per-call').map((a) => a.action), ['ticket.created']);
});

eachDialect('SLA policies and calendars can be changed: PATCH, show; bad input changes nothing; roles', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.calendars.create({ name: 'berlin', timeZone: 'Europe/Berlin', hours: { mon: [{ start: '09:00', end: '17:00' }] } });
  await s.admin.calendars.create({ name: 'utc', timeZone: 'UTC', hours: { tue: [{ start: '08:00', end: '16:00' }] } });
  const p = await s.admin.slaPolicies.create({ name: 'standard', calendar: 'berlin', priorities: ['normal'], firstResponseMinutes: 60, resolutionMinutes: 480 });
  t.deepEqual(await s.admin.slaPolicies.get('standard'), p);
  const u = await s.admin.slaPolicies.update('standard', { calendar: 'utc', priorities: ['normal', 'high'], nextResponseMinutes: 120, resolutionMinutes: 960 });
  t.like(u, { name: 'standard', calendar: 'utc', priorities: ['normal', 'high'], firstResponseMinutes: 60, nextResponseMinutes: 120, resolutionMinutes: 960 });
  t.like(await s.admin.slaPolicies.update('standard', { nextResponseMinutes: null }), { nextResponseMinutes: null, resolutionMinutes: 960 });
  t.is(await status(t, s.admin.slaPolicies.update('standard', { calendar: 'nowhere' })), 400);
  t.is(await status(t, s.admin.slaPolicies.update('standard', { resolutionMinutes: 0 })), 400);
  t.is(await status(t, s.admin.slaPolicies.update('missing', { resolutionMinutes: 10 })), 404);
  t.is(await status(t, s.admin.slaPolicies.get('missing')), 404);
  t.like(await s.admin.slaPolicies.get('standard'), { calendar: 'utc', resolutionMinutes: 960 }, 'refused patches changed nothing');

  const c = await s.admin.calendars.update('berlin', { hours: { mon: [{ start: '08:00', end: '18:00' }], fri: [{ start: '08:00', end: '12:00' }] }, holidays: ['2026-12-25', '2026-12-24'] });
  t.deepEqual(c.hours, { mon: [{ start: '08:00', end: '18:00' }], fri: [{ start: '08:00', end: '12:00' }] });
  t.deepEqual(c.holidays, ['2026-12-24', '2026-12-25']);
  t.is(c.timeZone, 'Europe/Berlin');
  t.is(await status(t, s.admin.calendars.update('berlin', { timeZone: 'Nowhere/Land' })), 400);
  t.is(await status(t, s.admin.calendars.update('missing', { timeZone: 'UTC' })), 404);
  t.is((await s.admin.calendars.get('berlin')).timeZone, 'Europe/Berlin');

  const agent = await s.clientFor('agent');
  const supervisor = await s.clientFor('supervisor');
  t.is(await status(t, agent.slaPolicies.update('standard', { resolutionMinutes: 10 })), 403);
  t.is(await status(t, agent.calendars.update('berlin', { timeZone: 'UTC' })), 403);
  t.like(await supervisor.slaPolicies.update('standard', { firstResponseMinutes: 30 }), { firstResponseMinutes: 30 });
  const audit = (await allAudit(s)).map((a) => a.action).filter((a) => a.endsWith('.updated'));
  t.deepEqual(audit, ['sla_policy.updated', 'sla_policy.updated', 'calendar.updated', 'sla_policy.updated']);
});
