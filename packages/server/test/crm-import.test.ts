/**
 * Customer import on SQLite and MariaDB: CSV-style text rows and JSON objects, per-row errors (row,
 * field, message), valid rows applied and invalid ones reported, a dry run that changes nothing and
 * reports exactly what would happen, matching existing customers by phone/email (update, not
 * duplicate), and export back.
 */
import { eachDialect, serve } from './helpers.js';

eachDialect('import: bad rows reported per row and field, good rows applied, matches update, dry run changes nothing', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.customerFields.create({ name: 'tier', type: 'enum', enumValues: ['gold', 'silver'] });
  await s.admin.customerFields.create({ name: 'score', type: 'number' });
  await s.admin.customerFields.create({ name: 'active', type: 'boolean' });
  const existing = await s.admin.customers.create({ name: 'Eve', phones: ['+14155550100'], tags: ['old'] });
  const rows = [
    { name: 'Frank', company: 'Acme', phones: '(212) 555-0101; 212.555.0102', emails: 'Frank@Acme.example', tags: 'a;b', vipLevel: '2', 'custom.tier': 'gold', 'custom.score': '7', 'custom.active': 'yes' },
    { name: 'Eve Updated', phones: '415-555-0100', emails: 'eve@example.com', tags: 'new', company: '' },
    { name: 'Bad Phone', phones: '555-12', emails: 'nope' },
    { name: '', phones: '', emails: '' },
    { name: 'Bad Custom', 'custom.tier': 'bronze', 'custom.score': 'x', colour: 'red' },
    { name: 'Frank again', emails: 'frank@acme.example', language: 'de-de' },
  ];
  const dry = await s.admin.customers.import({ rows, dryRun: true, firstRow: 1 });
  t.like(dry, { dryRun: true, created: 1, updated: 2, failed: 3 });
  t.deepEqual(dry.rows.map((r) => [r.row, r.action, r.customerId, r.matchedBy]), [
    [1, 'create', null, null], [2, 'update', existing.id, 'phone +14155550100'], [3, 'error', null, null], [4, 'error', null, null], [5, 'error', null, null],
    [6, 'update', null, 'email frank@acme.example'],
  ]);
  t.deepEqual(dry.rows[2]!.errors, [
    { field: 'phones/0', message: '"555-12" is not a valid phone number (read as +155512 in US)' },
    { field: 'emails/0', message: '"nope" is not a valid email address' },
  ]);
  t.deepEqual(dry.rows[3]!.errors, [{ field: 'name', message: 'is required for a new customer' }]);
  t.deepEqual(dry.rows[4]!.errors, [
    { field: 'colour', message: 'unknown column' },
    { field: 'custom/tier', message: 'must be one of gold, silver' },
    { field: 'custom/score', message: 'must be a number' },
  ], 'every problem of a row is reported at once');
  t.is((await s.admin.customers.list()).customers.length, 1, 'a dry run changes nothing');
  t.is((await s.admin.audit.list({ action: 'customer.created' })).length, 1);

  const real = await s.admin.customers.import({ rows, firstRow: 10 });
  t.like(real, { dryRun: false, created: 1, updated: 2, failed: 3 });
  t.deepEqual(real.rows.map((r) => r.row), [10, 11, 12, 13, 14, 15]);
  const frankId = real.rows[0]!.customerId!;
  t.is(real.rows[5]!.customerId, frankId, 'a later row of the same file matches the customer an earlier row created');
  const frank = await s.admin.customers.get(frankId);
  t.like(frank, { name: 'Frank again', company: 'Acme', language: 'de-DE', vipLevel: 2, tags: ['a', 'b'], custom: { tier: 'gold', score: 7, active: true }, emails: ['Frank@Acme.example'] });
  t.deepEqual(frank.phones.map((p) => p.number), ['+12125550101', '+12125550102']);
  const eve = await s.admin.customers.get(existing.id);
  t.like(eve, { name: 'Eve Updated', tags: ['old', 'new'], emails: ['eve@example.com'] });
  t.deepEqual(eve.phones.map((p) => p.number), ['+14155550100']);
  t.is((await s.admin.customers.list()).customers.length, 2);

  // The rows that failed can be fixed and imported again; a row whose numbers point at two customers is refused.
  const clash = await s.admin.customers.import({ rows: [{ name: 'Clash', phones: '+14155550100', emails: 'frank@acme.example' }] });
  t.like(clash, { failed: 1 });
  t.regex(clash.rows[0]!.errors[0]!.message, new RegExp(`matches several customers \\(#${existing.id} by phone \\+14155550100, #${frankId} by email frank@acme.example\\)`));

  // JSON rows: the export format imports back (ids ignored, matched by phone/email).
  const exported = (await s.admin.customers.export()).customers;
  const again = await s.admin.customers.import({ rows: exported as unknown as Array<Record<string, unknown>> });
  t.like(again, { created: 0, updated: 2, failed: 0 });
  t.deepEqual((await s.admin.customers.export()).customers.map((c) => ({ ...c, updatedAt: '' })), exported.map((c) => ({ ...c, updatedAt: '' })));
});
