/**
 * Trunks and numbers as configuration: CRUD, validation paths, references (a number's target must exist
 * and cannot be deleted under it), secrets (the outbound password is sealed, never shown, audited or
 * emitted; secret.key is 0600) and the center file sections, on both dialects.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../src/client/index.js';
import { SecretBox } from '../src/crypto/secret-box.js';
import { TrunkRow } from '../src/db/entities/index.js';
import { allAudit, allEvents, eachDialect, http, serve } from './helpers.js';

const OUT_PASSWORD = 'carrier-Out-pw-7731';
const IN_PASSWORD = 'carrier-In-pw-9920';

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

eachDialect('trunks: create, list, show, update, delete; validation with paths; events', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const created = await s.admin.trunks.create({
    name: 'carrier1', host: 'sip.carrier.example', inboundCidrs: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7'],
    callerId: { stripPrefix: '0', addPrefix: '+49' },
  });
  t.like(created, {
    name: 'carrier1', description: '', inboundCidrs: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7'], inboundUsername: null,
    hasInboundCredentials: false, host: 'sip.carrier.example', port: 5060, transport: 'udp', username: null, hasOutboundCredentials: false,
    register: false, maxCalls: 0, callerId: { stripPrefix: '0', addPrefix: '+49' }, enabled: true,
  });
  const updated = await s.admin.trunks.update('carrier1', { port: 5080, transport: 'tcp', maxCalls: 30, register: true, enabled: false, username: 'acct42', password: OUT_PASSWORD });
  t.like(updated, { port: 5080, transport: 'tcp', maxCalls: 30, register: true, enabled: false, username: 'acct42', hasOutboundCredentials: true });
  t.deepEqual(await s.admin.trunks.get('carrier1'), updated);
  await s.admin.trunks.create({ name: 'backup', host: '192.0.2.10', inboundUsername: 'hotline', inboundPassword: IN_PASSWORD });
  t.deepEqual((await s.admin.trunks.list()).map((x) => [x.name, x.hasInboundCredentials]), [['backup', true], ['carrier1', false]]);

  const bad = async (body: object, path: string, status = 400) => {
    const r = await http(s.url, 'POST', '/v1/trunks', { token: s.adminToken, body });
    t.is(r.status, status, JSON.stringify(body));
    t.true((r.body.details as Array<{ path: string }>).some((d) => d.path === path), `${JSON.stringify(r.body)} has ${path}`);
  };
  await bad({ name: 'x1', host: 'h.example', inboundCidrs: ['10.0.0.0/33'] }, '/inboundCidrs/0');
  await bad({ name: 'x2', host: 'h.example', inboundCidrs: ['10.0.0.256'] }, '/inboundCidrs/0');
  await bad({ name: 'x3', host: 'h.example', inboundCidrs: ['10.0.0.0/8'], port: 70000 }, '/port');
  await bad({ name: 'x4', host: 'h.example', inboundCidrs: ['10.0.0.0/8'], transport: 'ws' }, '/transport');
  await bad({ name: 'x5', host: 'h.example' }, '/inboundCidrs');
  await bad({ name: 'x6', host: 'bad host!', inboundCidrs: ['10.0.0.0/8'] }, '/host');
  await bad({ name: 'x7', host: 'h.example', inboundCidrs: ['10.0.0.0/8'], password: OUT_PASSWORD }, '/username');
  await bad({ name: 'carrier1', host: 'h.example', inboundCidrs: ['10.0.0.0/8'] }, '/name', 409);

  await s.admin.trunks.delete('backup');
  t.is((await apiError(s.admin.trunks.get('backup'))).status, 404);
  const types = (await allEvents(s, ['trunk.created', 'trunk.updated', 'trunk.deleted'])).map((e) => e.type);
  t.deepEqual(types, ['trunk.created', 'trunk.updated', 'trunk.created', 'trunk.deleted']);
});

eachDialect('numbers: targets must exist; duplicates and deleting a target are conflicts naming the number', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.agents.create({ extension: '1001', name: 'Ann' });
  await s.admin.queues.create({ name: 'support' });
  t.like(await s.admin.numbers.create({ number: '+4930123456', target: 'queue:support', description: 'Hotline' }), { number: '+4930123456', target: 'queue:support', description: 'Hotline' });
  await s.admin.numbers.create({ number: '4930123499', target: 'agent:1001' });
  await s.admin.numbers.create({ number: '+4930123400', target: 'flow:main' });

  let e = await apiError(s.admin.numbers.create({ number: '+4930000001', target: 'agent:1999' }));
  t.is(e.status, 400);
  t.deepEqual(e.details, [{ path: '/target', message: 'unknown agent' }]);
  e = await apiError(s.admin.numbers.create({ number: '+4930000002', target: 'queue:nope' }));
  t.deepEqual([e.status, e.details[0]?.path], [400, '/target']);
  e = await apiError(s.admin.numbers.create({ number: '12345678901234567890123', target: 'flow:main' }));
  t.deepEqual([e.status, e.details[0]?.path], [400, '/number']);
  e = await apiError(s.admin.numbers.create({ number: '+4930123456', target: 'flow:main' }));
  t.is(e.status, 409);
  t.regex(e.message, /\+4930123456/);

  e = await apiError(s.admin.agents.delete('1001'));
  t.is(e.status, 409);
  t.regex(e.message, /4930123499/);
  e = await apiError(s.admin.queues.delete('support'));
  t.is(e.status, 409);
  t.regex(e.message, /\+4930123456/);

  t.like(await s.admin.numbers.update('4930123499', { target: 'queue:support' }), { target: 'queue:support' });
  await s.admin.agents.delete('1001');
  await s.admin.numbers.delete('+4930123456');
  t.deepEqual((await s.admin.numbers.list()).map((n) => `${n.number}=${n.target}`), ['+4930123400=flow:main', '4930123499=queue:support']);
  const types = (await allEvents(s, ['number.created', 'number.updated', 'number.deleted'])).map((x) => x.type);
  t.deepEqual(types, ['number.created', 'number.created', 'number.created', 'number.updated', 'number.deleted']);
});

eachDialect('trunk secrets: sealed at rest, never in responses, audit or events; secret.key is 0600', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const texts: string[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await http(s.url, method, path, { token: s.adminToken, body });
    texts.push(r.text);
    return r;
  };
  t.is((await call('POST', '/v1/trunks', { name: 'c1', host: 'sip.example.net', inboundUsername: 'hl', inboundPassword: IN_PASSWORD, username: 'acct', password: OUT_PASSWORD })).status, 201);
  t.is((await call('PATCH', '/v1/trunks/c1', { password: `${OUT_PASSWORD}-2`, inboundPassword: `${IN_PASSWORD}-2` })).status, 200);
  await call('GET', '/v1/trunks');
  await call('GET', '/v1/trunks/c1');
  await call('GET', '/v1/center');

  const row = await s.server.services.store.ds.manager.findOneByOrFail(TrunkRow, { name: 'c1' });
  const keyFile = join(s.dataDir, 'secret.key');
  t.is(statSync(keyFile).mode & 0o777, 0o600);
  t.is(statSync(keyFile).size, 32);
  t.truthy(row.outboundSecret);
  t.false(row.outboundSecret!.includes(OUT_PASSWORD));
  t.is(new SecretBox(keyFile).open(row.outboundSecret!), `${OUT_PASSWORD}-2`);

  const audit = JSON.stringify(await allAudit(s));
  const events = JSON.stringify(await allEvents(s));
  t.regex(audit, /outboundCredentialsChanged/);
  const secrets = [OUT_PASSWORD, IN_PASSWORD, row.outboundSecret!, row.outboundSecret!.slice(3, 20), row.inboundHa1Md5!, row.inboundHa1Sha256!];
  for (const secret of secrets) {
    for (const [what, text] of [['responses', texts.join('\n')], ['audit', audit], ['events', events]] as const) {
      t.false(text.includes(secret), `${what} contain a secret (${secret.slice(0, 4)}...)`);
    }
  }
  await s.restart();
  const again = await s.server.services.store.ds.manager.findOneByOrFail(TrunkRow, { name: 'c1' });
  t.is(new SecretBox(keyFile).open(again.outboundSecret!), `${OUT_PASSWORD}-2`, 'the key file is reused after a restart');
});

eachDialect('center file: trunks and numbers round trip; a second apply changes nothing; prune deletes numbers first', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const file = {
    apiVersion: 'hotline/v1',
    kind: 'Center',
    agents: [{ extension: '1001', name: 'Ann' }],
    queues: [{ name: 'support' }],
    trunks: [
      { name: 'carrier1', host: 'sip.carrier.example', inboundCidrs: ['203.0.113.0/24'], callerId: { addPrefix: '+49' } },
      { name: 'carrier2', host: '192.0.2.10', transport: 'tcp', inboundUsername: 'hl', inboundPassword: IN_PASSWORD, username: 'acct', password: OUT_PASSWORD, register: true },
    ],
    numbers: [
      { number: '+4930123456', target: 'queue:support', description: 'Hotline' },
      { number: '+4930123499', target: 'agent:1001' },
    ],
  };
  const first = await s.admin.center.apply(file);
  t.deepEqual(first.changes.map((c) => `${c.action} ${c.kind} ${c.key}`), [
    'create trunk carrier1', 'create trunk carrier2', 'create agent 1001', 'create queue support', 'create number +4930123456', 'create number +4930123499',
  ]);
  t.false(JSON.stringify(first).includes(OUT_PASSWORD));
  t.deepEqual((await s.admin.center.apply(file)).changes, [], 'a second apply changes nothing (passwords compared, not re-set)');
  const changedPw = await s.admin.center.plan({ ...file, trunks: [file.trunks[0], { ...file.trunks[1], password: `${OUT_PASSWORD}-x` }] });
  t.deepEqual(changedPw.changes, [{ action: 'update', kind: 'trunk', key: 'carrier2', fields: [{ field: 'password', from: '(unchanged)', to: '(set)' }] }]);

  const exported = await s.admin.center.export();
  t.false(JSON.stringify(exported).includes(OUT_PASSWORD));
  t.deepEqual(exported.trunks?.map((x) => x.name), ['carrier1', 'carrier2']);
  t.deepEqual(exported.numbers, [
    { number: '+4930123456', description: 'Hotline', target: 'queue:support' },
    { number: '+4930123499', description: '', target: 'agent:1001' },
  ]);
  t.deepEqual((await s.admin.center.plan(exported)).changes, [], 'the export applies back unchanged');

  const bad = await apiError(s.admin.center.plan({ ...file, numbers: [{ number: '+4930000001', target: 'agent:1999' }] }));
  t.deepEqual(bad.details, [{ path: '/numbers/0/target', message: 'unknown agent 1999' }]);

  const pruned = await s.admin.center.apply({ apiVersion: 'hotline/v1', kind: 'Center', agents: [], queues: [], trunks: [], numbers: [] }, true);
  t.deepEqual(pruned.changes.map((c) => `${c.action} ${c.kind} ${c.key}`).slice(0, 2), ['delete number +4930123499', 'delete number +4930123456']);
  t.deepEqual(await s.admin.numbers.list(), []);
  t.deepEqual(await s.admin.agents.list(), []);
});
