/**
 * `hotline customers data <id>` (everything about a person as JSON) and `hotline customers erase <id>`
 * (refused without --yes when stdin is not a terminal, exit 2; auditors may read but not erase, exit 4).
 */
import test from 'ava';
import { runCli } from './helpers/run-cli.js';
import { serverFor, tokenFor } from './helpers/server.js';

test('customers data prints the personal data document; customers erase needs --yes without a terminal and admins', async (t) => {
  const { admin, env } = await serverFor(t);
  const c = await admin.customers.create({ name: 'Ottoline Privacy-Test', phones: ['(415) 555-0163'], emails: ['ottoline@example.org'] });
  await admin.customers.notes.add(c.id, 'prefers mornings');
  const auditorToken = await tokenFor(admin, 'auditor-privacy-cli', 'auditor');

  let r = await runCli(['customers', 'data', String(c.id)], { ...env, HOTLINE_TOKEN: auditorToken });
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  t.like(doc, { customer: { name: 'Ottoline Privacy-Test', emails: ['ottoline@example.org'] } });
  t.is(doc.notes.length, 1);
  r = await runCli(['customers', 'data', String(c.id), '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).customer.id, c.id);

  r = await runCli(['customers', 'erase', String(c.id), '--yes'], { ...env, HOTLINE_TOKEN: auditorToken });
  t.is(r.code, 4, 'auditors cannot erase');
  r = await runCli(['customers', 'erase', String(c.id)], env);
  t.is(r.code, 2, 'no terminal and no --yes');
  t.regex(r.stderr, /pass --yes/);
  t.is((await admin.customers.get(c.id)).name, 'Ottoline Privacy-Test', 'nothing erased');

  r = await runCli(['customers', 'erase', String(c.id), '--yes', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { customerId: c.id, changed: { customers: 1, customer_notes: 1 } });
  r = await runCli(['customers', 'data', String(c.id)], env);
  t.is(r.code, 5, 'gone');
});
