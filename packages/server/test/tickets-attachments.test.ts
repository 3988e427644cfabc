/**
 * Ticket attachments over real HTTP on SQLite and MariaDB: upload (base64, bounded by http.bodyLimit),
 * list, download (the ticket's read rule), delete (uploader or tickets:manage); history, events and
 * audit; one content-addressed store shared with the KB, whose files go only when no ticket attachment
 * and no KB article references them any more.
 */
import type { ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../src/client/index.js';
import { allAudit, allEvents, eachDialect, http, serve, waitFor } from './helpers.js';

async function status(t: ExecutionContext, p: Promise<unknown>): Promise<number> {
  return ((await t.throwsAsync(p, { instanceOf: ApiError })) as ApiError).status;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

eachDialect('ticket attachments: upload, list, download, delete; roles; history, events, audit; one file store with the KB', async (t, dialect) => {
  const s = await serve(t, { dialect, overrides: { 'http.bodyLimit': 64 * 1024 } });
  const store = s.server.services.store;
  const fileOf = (hash: string) => join(s.dataDir, 'kb-files', hash.slice(0, 2), hash);
  const ticket = await s.admin.tickets.create({ subject: 'Broken router' });
  const other = await s.admin.tickets.create({ subject: 'Another router' });

  const a = await s.admin.tickets.attachments.upload(ticket.id, { name: 'photo.txt', contentType: 'text/plain', base64: b64('the router, blinking red') });
  t.like(a, { ticketId: ticket.id, name: 'photo.txt', contentType: 'text/plain', size: 24, sha256: sha('the router, blinking red'), createdBy: 'admin' });
  t.true(existsSync(fileOf(a.sha256)));
  t.deepEqual(await s.admin.tickets.attachments.list(ticket.id), [a]);
  t.deepEqual(await s.admin.tickets.attachments.list(other.id), []);
  const d = await s.admin.tickets.attachments.download(ticket.id, a.id);
  t.deepEqual(d, { name: 'photo.txt', contentType: 'text/plain', size: 24, sha256: a.sha256, base64: b64('the router, blinking red') });

  // Bad input: unknown ticket or attachment (also one of another ticket), bad base64, too big, extra fields.
  t.is(await status(t, s.admin.tickets.attachments.upload(987654, { name: 'x', contentType: 'text/plain', base64: b64('x') })), 404);
  t.is(await status(t, s.admin.tickets.attachments.download(ticket.id, 999999)), 404);
  t.is(await status(t, s.admin.tickets.attachments.download(other.id, a.id)), 404, 'an attachment belongs to its ticket');
  t.is(await status(t, s.admin.tickets.attachments.download(ticket.id, 'abc')), 404);
  t.is(await status(t, s.admin.tickets.attachments.upload(ticket.id, { name: 'x', contentType: 'text/plain', base64: '###' })), 400);
  const big = await http(s.url, 'POST', `/v1/tickets/${ticket.id}/attachments`, { token: s.adminToken, body: { name: 'big', contentType: 'text/plain', base64: 'A'.repeat(70 * 1024) } });
  t.is(big.status, 413);
  const extra = await http(s.url, 'POST', `/v1/tickets/${ticket.id}/attachments`, { token: s.adminToken, body: { name: 'x', contentType: 'text/plain', base64: b64('x'), path: '/etc' } });
  t.is(extra.status, 400);
  t.deepEqual((await s.admin.tickets.attachments.list(ticket.id)).map((x) => x.id), [a.id], 'nothing half-applied');

  // Roles: agents upload and delete their own; auditors read but do not write; agents may not delete others' uploads.
  const agent = await s.clientFor('agent');
  const auditor = await s.clientFor('auditor');
  t.is((await auditor.tickets.attachments.download(ticket.id, a.id)).base64, d.base64);
  t.is(await status(t, auditor.tickets.attachments.upload(ticket.id, { name: 'x', contentType: 'text/plain', base64: b64('x') })), 403);
  t.is(await status(t, auditor.tickets.attachments.delete(ticket.id, a.id)), 403);
  t.is(await status(t, agent.tickets.attachments.delete(ticket.id, a.id)), 403);
  // The same bytes again (another ticket, by the agent) and as a KB attachment article: still one file.
  const same = await agent.tickets.attachments.upload(other.id, { name: 'same.txt', contentType: 'text/plain', base64: b64('the router, blinking red') });
  t.is(same.sha256, a.sha256);
  t.is(same.createdBy, agent.user);
  const article = await s.admin.kb.articles.create({ kind: 'attachment', title: 'Router photo' });
  t.is((await s.admin.kb.articles.upload(article.id, { name: 'router.txt', contentType: 'text/plain', base64: b64('the router, blinking red') })).attachment!.sha256, a.sha256);

  await agent.tickets.attachments.delete(other.id, same.id);
  await s.admin.tickets.attachments.delete(ticket.id, a.id);
  t.deepEqual(await s.admin.tickets.attachments.list(ticket.id), []);
  t.is(await status(t, s.admin.tickets.attachments.delete(ticket.id, a.id)), 404);
  await store.writer.run(async () => undefined); // the releases queued after the deletes have run
  t.true(existsSync(fileOf(a.sha256)), 'the KB article still references the file');
  t.is(Buffer.from((await s.admin.kb.articles.download(article.id)).base64, 'base64').toString(), 'the router, blinking red');

  // A file only one attachment references goes with it (after the commit).
  const lone = await s.admin.tickets.attachments.upload(ticket.id, { name: 'log.txt', contentType: 'text/plain', base64: b64('lone log') });
  t.true(existsSync(fileOf(lone.sha256)));
  await s.admin.tickets.attachments.delete(ticket.id, lone.id);
  await waitFor('the unreferenced file to be deleted', () => !existsSync(fileOf(lone.sha256)));

  const history = await s.admin.tickets.history(ticket.id);
  t.deepEqual(history.filter((h) => h.field === 'attachment').map((h) => [h.before, h.after]), [
    [null, { id: a.id, name: 'photo.txt', sha256: a.sha256 }],
    [{ id: a.id, name: 'photo.txt', sha256: a.sha256 }, null],
    [null, { id: lone.id, name: 'log.txt', sha256: lone.sha256 }],
    [{ id: lone.id, name: 'log.txt', sha256: lone.sha256 }, null],
  ]);
  const events = await allEvents(s, ['ticket.attachment_added', 'ticket.attachment_deleted']);
  t.deepEqual(events.map((e) => [e.type, ((e.payload['after'] ?? e.payload['before']) as { name: string }).name]), [
    ['ticket.attachment_added', 'photo.txt'], ['ticket.attachment_added', 'same.txt'], ['ticket.attachment_deleted', 'same.txt'],
    ['ticket.attachment_deleted', 'photo.txt'], ['ticket.attachment_added', 'log.txt'], ['ticket.attachment_deleted', 'log.txt'],
  ]);
  const audit = (await allAudit(s)).filter((x) => x.action.startsWith('ticket.attachment_'));
  t.deepEqual(audit.map((x) => [x.action, x.actor]), [
    ['ticket.attachment_added', 'admin'], ['ticket.attachment_added', agent.user], ['ticket.attachment_deleted', agent.user],
    ['ticket.attachment_deleted', 'admin'], ['ticket.attachment_added', 'admin'], ['ticket.attachment_deleted', 'admin'],
  ]);
});
