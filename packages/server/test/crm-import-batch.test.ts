/**
 * Customer import in batches (crm/import.ts matches and writes 500 rows at a time) on SQLite and
 * MariaDB: a request larger than a batch gives exactly the report, customers, audit entries and events
 * that importing its rows one by one would, also when a row matches a customer an earlier row of the
 * same batch (or the batch before) created or updated; a bad row is reported and never applied; a dry
 * run writes nothing. And an API token's user is read on every request: a role change or a revoked
 * token takes effect on the very next request.
 */
import { ApiError, HotlineClient } from '../src/client/index.js';
import { allAudit, allEvents, eachDialect, serve } from './helpers.js';

const ROWS = 1200;

/** Row k (1-based): a new customer, except the rows below that match, clash or fail. */
function rows(existingPhone: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = Array.from({ length: ROWS }, (_, i) => ({ name: `Person ${i + 1}`, phones: `+1212555${String(i + 1).padStart(4, '0')}`, emails: `p${i + 1}@example.com`, tags: 't' }));
  out[19] = { name: 'Person 5 again', phones: '(212) 555-0005', emails: 'p5b@example.com', tags: 'again' }; // same batch as row 5: update
  out[20] = { name: 'Person 5 by new email', emails: 'P5B@example.com', company: 'Acme' }; // matches by the email row 20 added
  out[29] = { name: 'Eve updated', phones: existingPhone }; // an existing customer
  out[30] = { name: 'Eve again', phones: existingPhone, language: 'de' }; // the same existing customer, just updated
  out[40] = { name: 'Bad', phones: '555-12' }; // invalid: reported, not applied
  out[41] = { name: 'Clash', phones: '+12125550007', emails: 'p8@example.com' }; // two customers
  out[600] = { name: 'Person 10 later', emails: 'p10@example.com' }; // a row of the first batch, from the second
  out[999] = { name: 'Person 990 twin', phones: '+12125550990' }; // matches row 990 (same batch)
  return out;
}

eachDialect('import: a request larger than a batch is applied exactly as row by row (report, customers, audit, events)', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const eve = await s.admin.customers.create({ name: 'Eve', phones: ['+14155550100'] });
  const input = rows('+14155550100');
  const eventsBefore = (await allEvents(s)).length;
  const auditBefore = (await allAudit(s)).length;

  const dry = await s.admin.customers.import({ rows: input, dryRun: true });
  t.like(dry, { dryRun: true, created: ROWS - 8, updated: 6, failed: 2 });
  t.is((await s.admin.customers.list()).customers.length, 1, 'a dry run writes nothing');
  t.is((await allEvents(s)).length, eventsBefore);
  t.is((await allAudit(s)).length, auditBefore);

  const report = await s.admin.customers.import({ rows: input });
  t.like(report, { dryRun: false, created: ROWS - 8, updated: 6, failed: 2 });
  t.deepEqual(dry.rows.map((r) => [r.row, r.action, r.matchedBy]), report.rows.map((r) => [r.row, r.action, r.matchedBy]), 'the dry run reported what the import did');
  const id = (row: number) => report.rows[row - 1]!.customerId!;
  t.like(report.rows[19], { action: 'update', customerId: id(5), matchedBy: 'phone +12125550005' });
  t.like(report.rows[20], { action: 'update', customerId: id(5), matchedBy: 'email p5b@example.com' });
  t.like(report.rows[29], { action: 'update', customerId: eve.id });
  t.like(report.rows[30], { action: 'update', customerId: eve.id });
  t.like(report.rows[40], { action: 'error', customerId: null, errors: [{ field: 'phones/0', message: '"555-12" is not a valid phone number (read as +155512 in US)' }] });
  t.like(report.rows[41], { action: 'error', customerId: null });
  t.regex(report.rows[41]!.errors[0]!.message, new RegExp(`matches several customers \\(#${id(7)} by phone \\+12125550007, #${id(8)} by email p8@example.com\\)`));
  t.like(report.rows[600], { action: 'update', customerId: id(10), matchedBy: 'email p10@example.com' });
  t.like(report.rows[999], { action: 'update', customerId: id(990), matchedBy: 'phone +12125550990' });
  t.is(dry.rows[19]!.customerId, null, 'a dry run shows no id for a customer it created');
  const ids = report.rows.filter((r) => r.action === 'create').map((r) => r.customerId!);
  t.deepEqual(ids, [...ids].sort((a, b) => a - b), 'created in row order');

  const p5 = await s.admin.customers.get(id(5));
  t.like(p5, { name: 'Person 5 by new email', company: 'Acme', tags: ['t', 'again'], emails: ['p5@example.com', 'p5b@example.com'] });
  t.like(await s.admin.customers.get(eve.id), { name: 'Eve again', language: 'de' });
  t.like(await s.admin.customers.get(id(10)), { name: 'Person 10 later', emails: ['p10@example.com'] });
  t.like(await s.admin.customers.lookup({ phone: '+12125550041' }), { customers: [] }, 'the bad row wrote nothing');

  // One audit entry and one event per applied row, in row order, saying what happened to whom.
  const applied = report.rows.filter((r) => r.action !== 'error').map((r) => [r.action === 'create' ? 'customer.created' : 'customer.updated', String(r.customerId)]);
  const audit = (await allAudit(s)).slice(auditBefore);
  t.deepEqual(audit.map((a) => [a.action, a.subjectId]), applied);
  const events = (await allEvents(s)).slice(eventsBefore);
  t.deepEqual(events.map((e) => [e.type, String((e.payload.after as { id: number }).id)]), applied);
  const second = events[19]!.payload as { before: { name: string; tags: string[] }; after: { name: string; tags: string[] } };
  t.like(second, { before: { name: 'Person 5', tags: ['t'] }, after: { name: 'Person 5 again', tags: ['t', 'again'] } });
});

eachDialect('tokens: a role change, a disabled user and a revoked token take effect on the very next request', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.users.create({ name: 'sam', role: 'supervisor' });
  const tok = await s.admin.tokens.create({ name: 'x', user: 'sam' });
  const sam = new HotlineClient({ url: s.url, token: tok.token });
  const status = (p: Promise<unknown>) => p.then(() => 200, (e: unknown) => (e instanceof ApiError ? e.status : 0));
  t.is(await status(sam.customers.list()), 200);
  await s.admin.users.update('sam', { role: 'auditor' });
  t.is(await status(sam.customers.create({ name: 'X' })), 403, 'the new role applies at once');
  await s.admin.users.update('sam', { disabled: true });
  t.is(await status(sam.me()), 401, 'a disabled user is refused at once');
  await s.admin.users.update('sam', { disabled: false });
  t.is(await status(sam.me()), 200);
  await s.admin.tokens.revoke(tok.id);
  t.is(await status(sam.me()), 401, 'a revoked token is refused on the very next request');
});
