import test from 'ava';
import { flat } from './helpers/normalize.js';
import { runCli } from './helpers/run-cli.js';
import { serverFor } from './helpers/server.js';

test('skills create, list, show, update and delete', async (t) => {
  const { admin, env } = await serverFor(t);

  let r = await runCli(['skills', 'create', 'billing', '--description', 'Invoices and payments'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'name:        billing\ndescription: Invoices and payments\n');

  r = await runCli(['skills', 'create', 'sales', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout), { id: 2, name: 'sales', description: '' });

  r = await runCli(['skills', 'update', 'sales', '--description', 'New business'], env);
  t.is(r.stdout, 'name:        sales\ndescription: New business\n');

  r = await runCli(['skills', 'list'], env);
  t.is(r.stdout, 'NAME     DESCRIPTION\nbilling  Invoices and payments\nsales    New business\n');

  r = await runCli(['skills', 'delete', 'billing', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout), { deleted: 'billing' });
  t.deepEqual(await admin.skills.list(), [{ id: 2, name: 'sales', description: 'New business' }]);
});

test('pause-reasons create, list, show, update and delete', async (t) => {
  const { admin, env } = await serverFor(t);

  let r = await runCli(['pause-reasons', 'create', 'lunch', '--label', 'Lunch', '--no-paid', '--max-minutes', '45'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'code:        lunch\nlabel:       Lunch\npaid:        no\nmax minutes: 45\n');
  await admin.pauseReasons.create({ code: 'coffee', label: 'Coffee', paid: true });

  r = await runCli(['pause-reasons', 'update', 'lunch', '--max-minutes', 'none', '--paid'], env);
  t.is(r.stdout, 'code:        lunch\nlabel:       Lunch\npaid:        yes\nmax minutes: -\n');

  r = await runCli(['pause-reasons', 'list'], env);
  t.is(r.stdout, 'CODE    LABEL   PAID  MAX MINUTES\ncoffee  Coffee  yes   -\nlunch   Lunch   yes   -\n');

  r = await runCli(['pause-reasons', 'show', 'coffee', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout), { id: 2, code: 'coffee', label: 'Coffee', paid: true, maxMinutes: null });

  r = await runCli(['pause-reasons', 'update', 'coffee', '--max-minutes', 'ten'], env);
  t.is(r.code, 2);
  t.regex(flat(r.stderr), /--max-minutes expects a whole number of minutes or `none`, got "ten"/);

  r = await runCli(['pause-reasons', 'delete', 'coffee'], env);
  t.is(r.stdout, '');
  t.is(r.stderr, 'deleted pause reason coffee\n');
  t.deepEqual((await admin.pauseReasons.list()).map((p) => p.code), ['lunch']);
});

test('dispositions create, list, show, update and delete', async (t) => {
  const { admin, env } = await serverFor(t);

  let r = await runCli(['dispositions', 'create', 'sale', '--label', 'Sale made', '--requires-note'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'code:          sale\nlabel:         Sale made\nrequires note: yes\n');

  r = await runCli(['dispositions', 'create', 'sale', '--label', 'Again'], env);
  t.is(r.code, 6);
  t.regex(flat(r.stderr), /disposition "sale" already exists/);

  r = await runCli(['dispositions', 'update', 'sale', '--label', 'Sale closed', '--no-requires-note', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout), { id: 1, code: 'sale', label: 'Sale closed', requiresNote: false });

  r = await runCli(['dispositions', 'list'], env);
  t.is(r.stdout, 'CODE  LABEL        REQUIRES NOTE\nsale  Sale closed  no\n');

  r = await runCli(['dispositions', 'delete', 'sale', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout), { deleted: 'sale' });
  t.deepEqual(await admin.dispositions.list(), []);
});
