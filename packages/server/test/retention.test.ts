/**
 * Retention (crm/retention.ts) on SQLite and MariaDB: call records, events, audit records and closed
 * tickets older than their policy are deleted (live calls, open tickets and newer rows kept, 0 = forever),
 * a `retention.purged` record is left, and the daily job runs on an injected clock. Also the privacy
 * settings' validation.
 */
import test from 'ava';
import { LessThan } from 'typeorm';
import { loadConfig } from '../src/config/load.js';
import { Retention, RetentionJob, type RetentionPolicy } from '../src/crm/retention.js';
import {
  AuditRow, CallLegRow, CallRow, EventRow, TicketAttachmentRow, TicketCommentRow, TicketHistoryRow, TicketRow,
} from '../src/db/entities/index.js';
import { FakeClock } from '../src/sip/clock.js';
import type { TestServer } from '../src/testing.js';
import { eachDialect, memoryLogger, serve, waitFor } from './helpers.js';

const NOW = new Date(Date.now() + 60_000);
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
const policy = (p: Partial<RetentionPolicy>): RetentionPolicy => ({ callDays: 0, eventDays: 0, auditDays: 0, ticketDays: 0, ...p });
const retention = (s: TestServer, p: Partial<RetentionPolicy>) => new Retention(s.server.services.store, policy(p), s.server.services.kb.files);
const none = { calls: 0, callLegs: 0, events: 0, audit: 0, tickets: 0, ticketRows: 0 };

async function seed(s: TestServer): Promise<void> {
  const store = s.server.services.store;
  await store.writer.run(async (tx) => {
    const call = (id: string, startedAt: Date, endedAt: Date | null) => tx.em.save(CallRow, Object.assign(new CallRow(), {
      id, fromExt: '1001', toExt: '1002', direction: 'internal', state: endedAt ? 'ended' : 'answered', startedAt, ringingAt: null,
      answeredAt: startedAt, endedAt, hangupBy: endedAt ? 'caller' : null, status: 200, reason: null, trunk: null,
    }));
    await call('ret-old', daysAgo(40), daysAgo(40));
    await call('ret-new', daysAgo(2), daysAgo(2));
    await call('ret-live', daysAgo(40), null);
    await tx.em.save(CallLegRow, Object.assign(new CallLegRow(), { id: 'ret-old-leg', callId: 'ret-old', contact: 'sip:1002@127.0.0.1', transport: 'udp', state: 'answered', status: 200, position: 0 }));
    for (const [i, at] of [daysAgo(100), daysAgo(31), daysAgo(29)].entries()) {
      const e = await store.events.append(tx, { type: 'test.retention', subjectType: 'test', subjectId: String(i), payload: {} });
      await tx.em.update(EventRow, { id: e.cursor }, { at });
    }
  });
}

const ids = async (s: TestServer) => (await s.server.services.store.ds.manager.find(CallRow, { order: { id: 'ASC' } })).map((c) => c.id);
const testEvents = async (s: TestServer) => s.server.services.store.ds.manager.count(EventRow, { where: { type: 'test.retention' } });

eachDialect('retention: calls ended and events older than their policy are deleted, live and newer kept, 0 keeps forever', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await seed(s);
  const store = s.server.services.store;
  t.deepEqual(await retention(s, {}).run(NOW), none);
  t.deepEqual(await retention(s, { eventDays: 30 }).run(NOW), { ...none, events: 2 });
  t.is(await testEvents(s), 1);
  t.deepEqual(await ids(s), ['ret-live', 'ret-new', 'ret-old']);
  t.deepEqual(await retention(s, { callDays: 30 }).run(NOW), { ...none, calls: 1, callLegs: 1 });
  t.deepEqual(await ids(s), ['ret-live', 'ret-new']);
  t.is(await store.ds.manager.count(CallLegRow, { where: { callId: 'ret-old' } }), 0);
  const audit = await s.admin.audit.list({ action: 'retention.purged' });
  t.is(audit.length, 2);
  t.like(audit.find((a) => (a.after as { calls: number }).calls === 1), { actor: 'system', subjectType: 'retention', after: { calls: 1, callLegs: 1, events: 0 } });
});

eachDialect('retention job: first purge a minute after start on the injected clock, then daily; stops cleanly', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await seed(s);
  const clock = new FakeClock();
  const job = new RetentionJob(retention(s, { callDays: 30, eventDays: 30 }), clock, memoryLogger().logger, () => NOW);
  job.start();
  clock.advance(59_999);
  await s.server.services.store.writer.idle();
  t.deepEqual(await ids(s), ['ret-live', 'ret-new', 'ret-old'], 'nothing before the first minute');
  clock.advance(1);
  await job.stop();
  t.deepEqual(await ids(s), ['ret-live', 'ret-new']);
  t.is(await testEvents(s), 1);
});

test('privacy settings: privacy.maskPhonesFor takes a list of roles, retention days are whole numbers 0-36500', (t) => {
  t.deepEqual(loadConfig({ env: {} }).privacy.maskPhonesFor, []);
  t.deepEqual(loadConfig({ env: {} }).retention, { callDays: 0, eventDays: 0, auditDays: 0, ticketDays: 0 });
  t.deepEqual(loadConfig({ env: { HOTLINE_PRIVACY_MASK_PHONES_FOR: 'agent, auditor' } }).privacy.maskPhonesFor, ['agent', 'auditor']);
  t.regex(t.throws(() => loadConfig({ env: { HOTLINE_PRIVACY_MASK_PHONES_FOR: 'agent,boss' } }))?.message ?? '', /HOTLINE_PRIVACY_MASK_PHONES_FOR: "boss": not a role/);
  t.is(loadConfig({ env: { HOTLINE_RETENTION_CALL_DAYS: '90' } }).retention.callDays, 90);
  t.throws(() => loadConfig({ env: { HOTLINE_RETENTION_EVENT_DAYS: '-1' } }));
  t.like(loadConfig({ env: { HOTLINE_RETENTION_AUDIT_DAYS: '400', HOTLINE_RETENTION_TICKET_DAYS: '730' } }).retention, { auditDays: 400, ticketDays: 730 });
  t.regex(t.throws(() => loadConfig({ env: { HOTLINE_RETENTION_TICKET_DAYS: '1.5' } }))?.message ?? '', /HOTLINE_RETENTION_TICKET_DAYS: must be a whole number/);
});

eachDialect('retention: audit records older than retention.auditDays are deleted; the purge leaves its own summary', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const store = s.server.services.store;
  await store.writer.run(async (tx) => {
    for (const [i, at] of [daysAgo(400), daysAgo(366), daysAgo(10)].entries()) {
      await tx.em.save(AuditRow, tx.em.create(AuditRow, {
        at, actorUserId: null, actorName: 'test', source: 'test', action: 'test.audit-retention', subjectType: 'test', subjectId: String(i), before: null, after: null,
      }));
    }
  });
  const before = await store.ds.manager.count(AuditRow, { where: { at: LessThan(daysAgo(365)) } });
  t.is(before, 2, 'only the seeded rows are that old');
  t.deepEqual(await retention(s, { auditDays: 365 }).run(NOW), { ...none, audit: 2 });
  t.deepEqual((await s.admin.audit.list({ action: 'test.audit-retention' })).map((a) => a.subjectId), ['2']);
  const [summary] = await s.admin.audit.list({ action: 'retention.purged' });
  t.like(summary, { actor: 'system', after: { audit: 2, cutoffs: { audit: daysAgo(365).toISOString() } } });
  t.deepEqual(await retention(s, { auditDays: 365 }).run(NOW), none, 'nothing left to purge, no new summary');
  t.is((await s.admin.audit.list({ action: 'retention.purged' })).length, 1);
});

eachDialect('retention: closed tickets last changed before retention.ticketDays go with comments, history and attachments; others stay', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const store = s.server.services.store;
  const ticket = async (subject: string, close: boolean) => {
    const x = await s.admin.tickets.create({ subject });
    await s.admin.tickets.comment(x.id, { text: `comment on ${subject}` });
    if (close) await s.admin.tickets.setStatus(x.id, 'closed');
    return x.id;
  };
  const old = await ticket('old closed', true);
  const commented = await ticket('old closed, recent comment', true);
  const open = await ticket('old but open', false);
  const recent = await ticket('recently closed', true);
  const file = await s.admin.tickets.attachments.upload(old, { name: 'a.txt', contentType: 'text/plain', base64: Buffer.from('retention test file').toString('base64') });
  // Age the rows: everything 100 days old except the recent comment and the recently closed ticket.
  await store.writer.run(async (tx) => {
    for (const id of [old, commented, open]) {
      await tx.em.update(TicketRow, { id }, { updatedAt: daysAgo(100), createdAt: daysAgo(100) });
      await tx.em.update(TicketHistoryRow, { ticketId: id }, { at: daysAgo(100) });
      await tx.em.update(TicketCommentRow, { ticketId: id }, { createdAt: id === commented ? daysAgo(2) : daysAgo(100) });
    }
  });
  const files = s.server.services.kb.files;
  t.true(await files.has(file.sha256));
  const report = await retention(s, { ticketDays: 90 }).run(NOW);
  t.like(report, { tickets: 1, calls: 0, events: 0, audit: 0 });
  t.true(report.ticketRows >= 3, 'comment, history and attachment rows');
  const left = (await store.ds.manager.find(TicketRow, { order: { id: 'ASC' } })).map((x) => x.id);
  t.deepEqual(left, [commented, open, recent]);
  for (const entity of [TicketCommentRow, TicketHistoryRow, TicketAttachmentRow]) {
    t.is(await store.ds.manager.count(entity, { where: { ticketId: old } }), 0);
  }
  await store.writer.idle();
  await waitFor('the attachment file released', async () => !(await files.has(file.sha256)));
  t.like((await s.admin.audit.list({ action: 'retention.purged' }))[0], { after: { tickets: 1, cutoffs: { tickets: daysAgo(90).toISOString() } } });
  t.deepEqual(await retention(s, { ticketDays: 90 }).run(NOW), none);
});
