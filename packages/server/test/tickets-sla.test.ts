/**
 * SLA clocks (tickets/sla.ts) on SQLite and MariaDB with an injected wall clock: due times across a
 * weekend and a holiday, first response met by a public staff comment, next response started by a
 * customer reply, the resolution clock paused while pending (due moves later by the business time
 * paused), breaches marked and `ticket.sla_breached` emitted once per target with a one-level
 * escalation; the periodic job on a FakeClock; calendars and policies over HTTP with validation.
 * Injected dates are in 2030 so the server's own minute job (real time) never finds them due.
 */
import test from 'ava';
import { ApiError } from '../src/client/index.js';
import { systemActor } from '../src/events/changes.js';
import { FakeClock } from '../src/sip/clock.js';
import type { TestServer } from '../src/testing.js';
import { TicketDesk } from '../src/tickets/desk.js';
import { escalated, SlaJob } from '../src/tickets/sla.js';
import type { CommentInput, TicketInput } from '../src/tickets/schemas.js';
import type { TicketStatus } from '../src/tickets/status.js';
import { allEvents, eachDialect, memoryLogger, serve } from './helpers.js';

const weekdays = { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }], wed: [{ start: '09:00', end: '17:00' }], thu: [{ start: '09:00', end: '17:00' }], fri: [{ start: '09:00', end: '17:00' }] };

/** A TicketDesk on the test server's database whose clock the test sets. */
async function desk(s: TestServer, policy: { next?: number | null } = {}) {
  let now = new Date('2030-01-01T00:00:00Z');
  const d = new TicketDesk(s.server.services.store, s.server.services.kb.files, () => now);
  const run = <T>(fn: Parameters<typeof s.server.services.store.writer.run<T>>[0]) => s.server.services.store.writer.run(fn);
  await run((tx) => d.calendars.create(tx, systemActor, { name: 'berlin', timeZone: 'Europe/Berlin', hours: weekdays, holidays: ['2030-12-27'] }));
  await run((tx) => d.policies.create(tx, systemActor, {
    name: 'standard', calendar: 'berlin', firstResponseMinutes: 60, nextResponseMinutes: policy.next === undefined ? 30 : policy.next, resolutionMinutes: 240, priorities: ['normal', 'high'],
  }));
  return {
    d,
    at(iso: string) {
      now = new Date(iso);
    },
    create: (input: TicketInput) => run((tx) => d.tickets.create(tx, systemActor, input, true)),
    comment: (id: number, input: CommentInput) => run((tx) => d.tickets.comment(tx, systemActor, String(id), input)),
    status: (id: number, st: TicketStatus) => run((tx) => d.tickets.setStatus(tx, systemActor, String(id), st, true)),
    due: async (id: number) => Object.fromEntries((await d.sla.targets(String(id))).map((x) => [x.target, x])),
  };
}

test('escalation goes up one level and stops at urgent', (t) => {
  t.deepEqual((['low', 'normal', 'high', 'urgent'] as const).map(escalated), ['normal', 'high', 'urgent', 'urgent']);
});

eachDialect('SLA across a holiday and a weekend: breaches marked once per target, ticket.sla_breached emitted once, priority escalated', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const k = await desk(s);
  // Thursday 2030-12-26 16:00 CET; Friday 27 is a holiday.
  k.at('2030-12-26T15:00:00Z');
  const tk = await k.create({ subject: 'Boxing day outage' });
  const low = await k.create({ subject: 'No policy for low', priority: 'low' });
  let due = await k.due(tk.id);
  t.is(due['first_response']!.dueAt, '2030-12-26T16:00:00.000Z', 'Thursday 17:00');
  t.is(due['resolution']!.dueAt, '2030-12-30T11:00:00.000Z', '60 min on Thursday, then Monday 09:00 + 180 min');
  t.deepEqual(await k.d.sla.targets(String(low.id)), [], 'no policy lists low');

  t.is(await k.d.sla.check(new Date('2030-12-26T15:59:59Z')), 0);
  t.is(await k.d.sla.check(new Date('2030-12-26T16:00:00Z')), 1);
  t.is(await k.d.sla.check(new Date('2030-12-27T12:00:00Z')), 0, 'a breach is marked once');
  t.is((await k.d.tickets.get(tk.id)).priority, 'high', 'escalated one level');
  t.is(await k.d.sla.check(new Date('2030-12-30T10:59:00Z')), 0);
  t.is(await k.d.sla.check(new Date('2030-12-30T11:00:00Z')), 1);
  t.is(await k.d.sla.check(new Date('2031-01-30T11:00:00Z')), 0);
  t.is((await k.d.tickets.get(tk.id)).priority, 'urgent');
  due = await k.due(tk.id);
  t.is(due['first_response']!.breachedAt, '2030-12-26T16:00:00.000Z');
  t.is(due['resolution']!.breachedAt, '2030-12-30T11:00:00.000Z');

  const breaches = await allEvents(s, ['ticket.sla_breached']);
  t.deepEqual(breaches.map((e) => (e.payload['after'] as { target: string }).target), ['first_response', 'resolution']);
  t.like(breaches[0]!.payload, { by: 'system', after: { ticketId: tk.id, policy: 'standard', dueAt: '2030-12-26T16:00:00.000Z', priority: 'normal' } });
  const history = (await k.d.tickets.history(String(tk.id))).filter((h) => h.field === 'priority');
  t.deepEqual(history.map((h) => [h.before, h.after, h.actor]), [[null, 'normal', 'system'], ['normal', 'high', 'system'], ['high', 'urgent', 'system']]);
});

eachDialect('SLA: first response met by a public staff comment, next response by customer reply, resolution paused while pending, resolving meets all', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const k = await desk(s);
  // Monday 2030-11-25 09:00 CET.
  k.at('2030-11-25T08:00:00Z');
  const tk = await k.create({ subject: 'Invoice wrong' });
  t.is((await k.due(tk.id))['resolution']!.dueAt, '2030-11-25T12:00:00.000Z');

  k.at('2030-11-25T08:20:00Z');
  await k.comment(tk.id, { text: 'internal: check billing' });
  t.is((await k.due(tk.id))['first_response']!.metAt, null, 'an internal comment is no response');
  k.at('2030-11-25T08:30:00Z');
  await k.comment(tk.id, { text: 'We are looking into it', public: true });
  t.is((await k.due(tk.id))['first_response']!.metAt, '2030-11-25T08:30:00.000Z');

  k.at('2030-11-25T08:40:00Z');
  await k.comment(tk.id, { text: 'Any news?', fromCustomer: true });
  t.is((await k.due(tk.id))['next_response']!.dueAt, '2030-11-25T09:10:00.000Z');
  k.at('2030-11-25T08:45:00Z');
  await k.comment(tk.id, { text: 'Another question', fromCustomer: true });
  t.is((await k.d.sla.targets(String(tk.id))).filter((x) => x.target === 'next_response').length, 1, 'one next-response clock at a time');
  k.at('2030-11-25T09:00:00Z');
  await k.comment(tk.id, { text: 'Answer', public: true });
  t.is((await k.due(tk.id))['next_response']!.metAt, '2030-11-25T09:00:00.000Z');

  // Pending from Monday 10:00 CET to Tuesday 09:00 CET: 420 business minutes paused; 180 were left.
  await k.status(tk.id, 'open');
  await k.status(tk.id, 'pending');
  t.true((await k.due(tk.id))['resolution']!.paused);
  t.is(await k.d.sla.check(new Date('2030-11-25T15:00:00Z')), 0, 'a paused clock does not breach');
  k.at('2030-11-26T08:00:00Z');
  await k.status(tk.id, 'open');
  const r = (await k.due(tk.id))['resolution']!;
  t.like(r, { paused: false, pausedMinutes: 420, dueAt: '2030-11-26T11:00:00.000Z', breachedAt: null });
  t.is(await k.d.sla.check(new Date('2030-11-26T10:59:00Z')), 0);

  k.at('2030-11-26T10:00:00Z');
  await k.status(tk.id, 'resolved');
  t.is((await k.due(tk.id))['resolution']!.metAt, '2030-11-26T10:00:00.000Z');
  t.is(await k.d.sla.check(new Date('2030-11-26T11:00:00Z')), 0, 'met clocks never breach');
  k.at('2030-11-26T10:30:00Z');
  await k.status(tk.id, 'open');
  t.is((await k.due(tk.id))['resolution']!.metAt, null, 'reopening restarts the wait for resolution, same due time');
  t.is(await k.d.sla.check(new Date('2030-11-26T11:00:00Z')), 1);

  k.at('2030-11-26T10:40:00Z');
  const quiet = await k.create({ subject: 'Solved at once' });
  await k.status(quiet.id, 'resolved');
  t.deepEqual(Object.values(await k.due(quiet.id)).map((x) => x.metAt), ['2030-11-26T10:40:00.000Z', '2030-11-26T10:40:00.000Z'], 'resolving meets every running clock');
  t.is(await k.d.sla.check(new Date('2031-06-01T00:00:00Z')), 0, 'a solved ticket breaches nothing');
  t.deepEqual((await allEvents(s, ['ticket.sla_breached'])).map((e) => (e.payload['after'] as { target: string }).target), ['resolution']);
});

eachDialect('SLA job: runs the check every minute on the injected clock and stops cleanly', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const k = await desk(s, { next: null });
  k.at('2030-12-26T15:00:00Z');
  await k.create({ subject: 'Job test' });
  k.at('2030-12-26T16:30:00Z');
  const clock = new FakeClock();
  const job = new SlaJob(k.d.sla, clock, memoryLogger().logger);
  job.start();
  clock.advance(59_999);
  await s.server.services.store.writer.idle();
  t.is((await allEvents(s, ['ticket.sla_breached'])).length, 0);
  clock.advance(1);
  await job.stop();
  t.is((await allEvents(s, ['ticket.sla_breached'])).length, 1, 'first response breached by the first run');
});

eachDialect('calendars and SLA policies over HTTP: create, list, show, delete, validation; tickets get clocks from the API', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const bad = (await t.throwsAsync(s.admin.calendars.create({ name: 'x', timeZone: 'Mars/Base', hours: { mon: [{ start: '22:00', end: '06:00' }] } }), { instanceOf: ApiError }))!;
  t.is(bad.status, 400);
  t.deepEqual(bad.details.map((d) => d.path), ['/timeZone', '/hours/mon/0']);
  const cal = await s.admin.calendars.create({ name: 'always', timeZone: 'UTC', hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]])), holidays: ['2030-01-01', '2030-01-01'] });
  t.deepEqual(cal.holidays, ['2030-01-01']);
  t.deepEqual(await s.admin.calendars.get('always'), cal);
  t.is((await t.throwsAsync(s.admin.calendars.create({ name: 'always', timeZone: 'UTC', hours: {} }), { instanceOf: ApiError }))!.status, 409);
  t.is((await t.throwsAsync(s.admin.slaPolicies.create({ name: 'p', calendar: 'nope', firstResponseMinutes: 1, resolutionMinutes: 2, priorities: ['low'] }), { instanceOf: ApiError }))!.status, 400);
  const p = await s.admin.slaPolicies.create({ name: 'gold', calendar: 'always', firstResponseMinutes: 15, resolutionMinutes: 120, priorities: ['urgent'] });
  t.like(p, { calendar: 'always', nextResponseMinutes: null, priorities: ['urgent'] });
  t.deepEqual(await s.admin.slaPolicies.list(), [p]);
  const inUse = (await t.throwsAsync(s.admin.calendars.delete('always'), { instanceOf: ApiError }))!;
  t.is(inUse.status, 409);
  t.regex(inUse.message, /used by SLA policies: gold/);

  const before = Date.now();
  const tk = await s.admin.tickets.create({ subject: 'Down', priority: 'urgent' });
  const clocks = await s.admin.tickets.sla(tk.id);
  t.deepEqual(clocks.map((c) => c.target), ['first_response', 'resolution']);
  t.is(Date.parse(clocks[0]!.dueAt) - Date.parse(clocks[0]!.startedAt), 15 * 60_000);
  t.true(Date.parse(clocks[0]!.startedAt) >= before - 1000);
  await s.admin.tickets.comment(tk.id, { text: 'on it', public: true });
  t.not((await s.admin.tickets.sla(tk.id))[0]!.metAt, null);

  await s.admin.slaPolicies.delete('gold');
  await s.admin.calendars.delete('always');
  t.deepEqual(await s.admin.calendars.list(), []);
  t.is((await s.admin.tickets.sla(tk.id)).length, 2, 'clocks outlive their policy');
});
