/**
 * Privacy (crm/privacy.ts) over real HTTP on SQLite and MariaDB: the subject access export holds
 * everything about a person, and erase leaves nothing personal behind, checked by reading every column
 * of every table the database lists (its own metadata, not the entities) for the person's name, email
 * and number in E.164, digits-only and national forms; the attachments of the person's tickets go,
 * with their files once nothing else references them. Also the role checks of both routes.
 */
import type { ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../src/client/index.js';
import { CallLegRow, CallRow, TicketAttachmentRow } from '../src/db/entities/index.js';
import type { Dialect, TestServer } from '../src/testing.js';
import { eachDialect, serve, waitFor } from './helpers.js';

const NAME = 'Zebulon Quixotic-Wrenfield';
const E164 = '+14155550137';
const NATIONAL = '4155550137';
const DIGITS = '14155550137';
const EMAIL = 'Zebulon.Wrenfield@Example.org';
const NEEDLES = [NAME, 'Wrenfield', E164, NATIONAL, DIGITS, EMAIL.toLowerCase()];

/** Every row of every table of the test database, as text (the database's own list of tables). */
async function everyRowText(s: TestServer, dialect: Dialect): Promise<Array<{ table: string; text: string }>> {
  const ds = s.server.services.store.ds;
  const tables = dialect === 'sqlite'
    ? ((await ds.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)) as Array<{ name: string }>).map((r) => r.name)
    : ((await ds.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()')) as Array<{ name: string }>).map((r) => r.name);
  const q = (id: string) => (dialect === 'sqlite' ? `"${id}"` : `\`${id}\``);
  const out: Array<{ table: string; text: string }> = [];
  for (const table of tables) {
    for (const row of (await ds.query(`SELECT * FROM ${q(table)}`)) as Array<Record<string, unknown>>) {
      const text = Object.values(row).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))).join('\u0001');
      out.push({ table, text });
    }
  }
  return out;
}

function findings(rows: Array<{ table: string; text: string }>): string[] {
  const found: string[] = [];
  for (const r of rows) for (const n of NEEDLES) if (r.text.toLowerCase().includes(n.toLowerCase())) found.push(`${r.table}: ${n}`);
  return [...new Set(found)];
}

async function apiStatus(t: ExecutionContext, p: Promise<unknown>): Promise<number> {
  const err = await t.throwsAsync(p, { instanceOf: ApiError });
  return (err as ApiError).status;
}

eachDialect('privacy: export holds everything about a person; erase leaves nothing personal in any table, keeps tickets and calls', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const store = s.server.services.store;
  const person = await s.admin.customers.create({ name: NAME, company: 'Wrenfield Looms', phones: ['(415) 555-0137'], emails: [EMAIL] });
  const other = await s.admin.customers.create({ name: 'Grace Hopper', phones: ['+14155550199'], emails: ['grace@example.org'] });
  t.deepEqual(person.phones.map((p) => p.number), [E164]);
  await s.admin.customers.update(person.id, { tags: ['vip'] });
  await s.admin.customers.notes.add(person.id, `${NAME} asked to be called on ${NATIONAL}`);
  await s.admin.customers.notes.add(other.id, `referred by ${NAME}`);
  const ticket = await s.admin.tickets.create({ subject: `Refund for ${NAME}`, description: `call back ${E164} or mail ${EMAIL}`, customerId: person.id });
  await s.admin.tickets.comment(ticket.id, { text: `spoke to ${NAME} at ${DIGITS}` });
  await s.admin.tickets.update(ticket.id, { subject: `Refund for ${NAME} (urgent)` });
  const unrelated = await s.admin.tickets.create({ subject: 'Loom supplier', description: 'about the looms' });
  await s.admin.tickets.comment(unrelated.id, { text: `cc ${EMAIL.toLowerCase()}` });
  // Attachments: one file only the person's ticket has, one shared with another ticket (which keeps it).
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const own = await s.admin.tickets.attachments.upload(ticket.id, { name: `${NAME} passport.txt`, contentType: 'text/plain', base64: b64('passport scan of Z.') });
  const shared = await s.admin.tickets.attachments.upload(ticket.id, { name: 'price list.txt', contentType: 'text/plain', base64: b64('loom prices 2026') });
  await s.admin.tickets.attachments.upload(unrelated.id, { name: 'prices.txt', contentType: 'text/plain', base64: b64('loom prices 2026') });
  const fileOf = (sha: string) => join(s.dataDir, 'kb-files', sha.slice(0, 2), sha);
  t.true(existsSync(fileOf(own.sha256)) && existsSync(fileOf(shared.sha256)));
  // Call records as the B2BUA writes them: the carrier's From user without `+`, a leg, and a call event.
  const at = new Date('2026-03-01T10:00:00Z');
  await store.writer.run(async (tx) => {
    await tx.em.save(CallRow, Object.assign(new CallRow(), {
      id: 'c-privacy-1', fromExt: DIGITS, toExt: '1001', direction: 'inbound', state: 'ended', startedAt: at, ringingAt: at, answeredAt: at,
      endedAt: at, hangupBy: 'caller', status: 200, reason: null, trunk: null,
    }));
    await tx.em.save(CallLegRow, Object.assign(new CallLegRow(), { id: 'l-privacy-1', callId: 'c-privacy-1', contact: `sip:${DIGITS}@127.0.0.1:5070`, transport: 'udp', state: 'answered', status: 200, position: 0 }));
    await tx.em.save(CallRow, Object.assign(new CallRow(), {
      id: 'c-privacy-2', fromExt: '1001', toExt: '+14155550199', direction: 'outbound', state: 'ended', startedAt: at, ringingAt: null, answeredAt: null,
      endedAt: at, hangupBy: 'caller', status: 486, reason: null, trunk: null,
    }));
    await store.events.append(tx, { type: 'call.ended', subjectType: 'call', subjectId: 'c-privacy-1', callId: 'c-privacy-1', agentId: '1001', payload: { from: DIGITS, to: '1001' } });
  });

  const auditor = await s.clientFor('auditor');
  const supervisor = await s.clientFor('supervisor');
  const agent = await s.clientFor('agent');
  const data = await auditor.customers.personalData(person.id);
  t.is(data.customer.name, NAME);
  t.deepEqual(data.customer.emails, [EMAIL]);
  t.is(data.notes.length, 1);
  t.is(data.tickets.length, 1);
  t.is(data.tickets[0]!.comments.length, 1);
  t.true(data.tickets[0]!.history.length >= 3);
  t.deepEqual((data.tickets[0]!.attachments as Array<{ name: string }>).map((a) => a.name).sort(), [`${NAME} passport.txt`, 'price list.txt']);
  t.deepEqual(data.calls.map((c) => (c.call as { id: string }).id), ['c-privacy-1']);
  t.is(data.calls[0]!.legs.length, 1);
  t.deepEqual((data.audit as Array<{ action: string }>).map((a) => a.action), ['customer.created', 'customer.updated', 'note.created']);
  t.deepEqual((data.events as Array<{ type: string }>).map((e) => e.type), ['customer.created', 'customer.updated', 'note.created']);
  t.is(await apiStatus(t, agent.customers.personalData(person.id)), 403);
  t.is(await apiStatus(t, supervisor.customers.personalData(person.id)), 403);
  t.is(await apiStatus(t, auditor.customers.erase(person.id)), 403);
  t.is(await apiStatus(t, supervisor.customers.erase(person.id)), 403);
  t.true(findings(await everyRowText(s, dialect)).length > 5, 'the search finds the person before erasure');

  const report = await s.admin.customers.erase(person.id);
  t.is(report.customerId, person.id);
  t.like(report.changed, { customers: 1, customer_phones: 1, customer_emails: 1, customer_notes: 2, tickets: 1, ticket_comments: 2, calls: 1, call_legs: 1, ticket_attachments: 2 });

  t.deepEqual(findings(await everyRowText(s, dialect)), [], 'nothing personal left in any table');
  t.is(await apiStatus(t, s.admin.customers.get(person.id)), 404);
  t.is(await apiStatus(t, s.admin.customers.erase(person.id)), 404);
  const kept = await s.admin.tickets.get(ticket.id);
  t.like(kept, { subject: '[erased]', description: '[erased]', customerId: null });
  t.deepEqual((await s.admin.tickets.comments(ticket.id)).map((c) => c.text), ['[erased]']);
  t.deepEqual((await s.admin.tickets.comments(unrelated.id)).map((c) => c.text), ['cc [erased]']);
  t.deepEqual(await s.admin.tickets.attachments.list(ticket.id), []);
  t.deepEqual((await store.ds.manager.find(TicketAttachmentRow)).map((a) => [a.ticketId, a.name]), [[unrelated.id, 'prices.txt']]);
  await waitFor('the erased ticket\'s own file to be deleted', () => !existsSync(fileOf(own.sha256)));
  await store.writer.run(async () => undefined); // the release is one write: it has finished with every file
  t.true(existsSync(fileOf(shared.sha256)), 'a file another ticket references stays');
  t.is(Buffer.from((await s.admin.tickets.attachments.download(unrelated.id, (await s.admin.tickets.attachments.list(unrelated.id))[0]!.id)).base64, 'base64').toString(), 'loom prices 2026');
  const call = await s.admin.calls.get('c-privacy-1');
  t.regex(call.from, /^erased-[0-9a-f]{8}$/);
  t.is(call.to, '1001');
  // The other customer and their call are untouched.
  t.like(await s.admin.customers.get(other.id), { name: 'Grace Hopper', emails: ['grace@example.org'] });
  t.deepEqual((await s.admin.customers.notes.list(other.id)).map((n) => n.text), ['referred by [erased]']);
  t.is((await s.admin.calls.get('c-privacy-2')).to, '+14155550199');
  const erased = await s.admin.audit.list({ action: 'customer.erased', subjectId: String(person.id) });
  t.is(erased.length, 1);
  t.like(erased[0], { subjectType: 'customer', before: null, after: { changed: report.changed } });
});

eachDialect('privacy: phone masking for the roles in privacy.maskPhonesFor (customers, lookup, timeline, duplicates, export, calls); others see full numbers', async (t, dialect) => {
  const s = await serve(t, { dialect, overrides: { 'privacy.maskPhonesFor': 'agent, auditor' } });
  const c = await s.admin.customers.create({ name: 'Masked Person', phones: ['+14155550142', '+49 30 1234567 ext. 12'] });
  await s.admin.customers.create({ name: 'Masked Twin', phones: ['+14155550142'] });
  const at = new Date('2026-03-02T10:00:00Z');
  await s.server.services.store.writer.run((tx) => tx.em.save(CallRow, Object.assign(new CallRow(), {
    id: 'c-mask-1', fromExt: '14155550142', toExt: '1001', direction: 'inbound', state: 'ended', startedAt: at, ringingAt: null, answeredAt: at,
    endedAt: at, hangupBy: 'caller', status: 200, reason: null, trunk: null,
  })));
  const agent = await s.clientFor('agent');
  const supervisor = await s.clientFor('supervisor');

  t.deepEqual((await agent.customers.get(c.id)).phones.map((p) => p.number), ['+1415•••0142', '+4930•••4567']);
  t.is((await agent.customers.get(c.id)).phones[1]!.ext, '12', 'extensions stay readable');
  const found = await agent.customers.lookup({ phone: '(415) 555-0142' });
  t.deepEqual(found.customers.map((x) => x.id).slice(0, 1), [c.id], 'lookup by the full number still works');
  t.deepEqual(found.customers[0]!.phones.map((p) => p.number), ['+1415•••0142', '+4930•••4567']);
  t.deepEqual((await agent.customers.list({ q: 'masked person' })).customers[0]!.phones.map((p) => p.number), ['+1415•••0142', '+4930•••4567']);
  const tl = await agent.customers.timeline(c.id);
  t.like(tl[0], { kind: 'call', summary: 'call from +1415•••0142: answered', call: { from: '1415•••0142', to: '1001', matched: '+1415•••0142' } });
  t.deepEqual((await agent.customers.duplicates(c.id))[0]!.reasons, ['phone +1415•••0142']);
  // Agents do not read call records at all; auditors do, masked.
  const auditor = await s.clientFor('auditor');
  t.is((await auditor.calls.get('c-mask-1')).from, '1415•••0142');
  t.is((await auditor.calls.list()).find((x) => x.id === 'c-mask-1')!.from, '1415•••0142');
  t.deepEqual((await auditor.customers.export({ limit: 10 })).customers[0]!.phones.map((p) => p.number), ['+1415•••0142', '+4930•••4567']);

  t.deepEqual((await supervisor.customers.get(c.id)).phones.map((p) => p.number), ['+14155550142', '+49301234567']);
  t.like((await supervisor.customers.timeline(c.id))[0], { call: { from: '14155550142', matched: '+14155550142' } });
  t.is((await supervisor.calls.get('c-mask-1')).from, '14155550142');
  t.is((await s.admin.customers.get(c.id)).phones[0]!.number, '+14155550142');
});
