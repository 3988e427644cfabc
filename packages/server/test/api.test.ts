/**
 * The REST API end to end over real HTTP: CRUD of every object on both dialects, strict validation with
 * JSON-pointer paths, conflicts, not-found, one error shape for every failure, the body limit, and the
 * OpenAPI document.
 */
import test, { type ExecutionContext } from 'ava';
import { ApiError, HotlineClient } from '../src/client/index.js';
import { eachDialect, http, serve, type RawResponse } from './helpers.js';

async function apiError(t: ExecutionContext, p: Promise<unknown>, status: number, code: string): Promise<ApiError> {
  const err = await t.throwsAsync(p, { instanceOf: ApiError });
  t.is(err?.status, status, err?.message);
  t.is(err?.code, code);
  return err!;
}

/** Exactly `{code, message, details}`, nothing more, nothing less. */
function errorShape(t: ExecutionContext, r: RawResponse, status: number, code: string): void {
  t.is(r.status, status, r.text);
  t.deepEqual(Object.keys(r.body ?? {}).sort(), ['code', 'details', 'message'], r.text);
  t.is(r.body.code, code);
  t.is(typeof r.body.message, 'string');
  t.true(r.body.message.length > 0);
  t.false(/\n\s+at /.test(r.body.message), 'no stack trace');
  t.true(Array.isArray(r.body.details));
  for (const d of r.body.details) t.deepEqual(Object.keys(d).sort(), ['message', 'path']);
  t.regex(r.headers.get('content-type') ?? '', /^application\/json/);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

eachDialect('agents: create, read, list, update, credentials, delete', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.skills.create({ name: 'sales', description: 'Sales' });
  await s.admin.skills.create({ name: 'billing' });
  await s.admin.users.create({ name: 'alice', role: 'agent' });

  const created = await s.admin.agents.create({ extension: '1001', name: 'Alice', user: 'alice', skills: { sales: 7, billing: 3 }, maxChats: 3 });
  t.like(created, { extension: '1001', name: 'Alice', user: 'alice', skills: { billing: 3, sales: 7 }, maxChats: 3, hasSipCredentials: false });
  t.regex(created.createdAt, ISO);
  t.is(created.createdAt, created.updatedAt);
  t.false('sipPassword' in created, 'no password was asked for, none is returned');
  t.deepEqual(await s.admin.agents.get('1001'), created);

  const bob = await s.admin.agents.create({ extension: '1000', name: 'Bob', password: 'correct horse battery' });
  t.true(bob.hasSipCredentials);
  t.false('sipPassword' in bob, 'a given password is never echoed');
  t.like(bob, { user: null, skills: {}, maxChats: 1 });
  t.deepEqual((await s.admin.agents.list()).map((a) => a.extension), ['1000', '1001'], 'listed by extension');

  const generated = await s.admin.agents.create({ extension: '1002', name: 'Carol', generatePassword: true });
  t.regex(generated.sipPassword ?? '', /^[A-Za-z0-9_-]{20}$/);
  t.true(generated.hasSipCredentials);
  t.false('sipPassword' in (await s.admin.agents.get('1002')), 'shown once');

  const updated = await s.admin.agents.update('1001', { name: 'Alice Smith', skills: { sales: 9 }, maxChats: 1, user: null });
  t.like(updated, { name: 'Alice Smith', skills: { sales: 9 }, maxChats: 1, user: null, hasSipCredentials: false });
  t.is(updated.createdAt, created.createdAt);
  t.true(updated.updatedAt >= created.updatedAt);
  t.deepEqual(await s.admin.agents.get('1001'), updated);
  const partial = await s.admin.agents.update('1001', { maxChats: 2 });
  t.like(partial, { name: 'Alice Smith', skills: { sales: 9 }, maxChats: 2 }, 'omitted fields keep their values');

  const regenerated = await s.admin.agents.update('1001', { generatePassword: true });
  t.regex(regenerated.sipPassword ?? '', /^[A-Za-z0-9_-]{20}$/);
  t.true(regenerated.hasSipCredentials);
  const err = await apiError(t, s.admin.agents.update('1001', { password: 'abcdefgh1', generatePassword: true }), 400, 'invalid_input');
  t.deepEqual(err.details, [{ path: '/generatePassword', message: 'conflicts with password' }]);
  const unknownSkill = await apiError(t, s.admin.agents.create({ extension: '1003', name: 'Dan', skills: { cooking: 2 } }), 400, 'invalid_input');
  t.deepEqual(unknownSkill.details, [{ path: '/skills/cooking', message: 'unknown skill' }]);
  await apiError(t, s.admin.agents.get('1003'), 404, 'not_found'); // nothing was half-created
  const unknownUser = await apiError(t, s.admin.agents.update('1001', { user: 'nobody' }), 400, 'invalid_input');
  t.deepEqual(unknownUser.details, [{ path: '/user', message: 'unknown user' }]);

  // Deleting an agent removes its skills and queue memberships with it.
  await s.admin.queues.create({ name: 'support' });
  await s.admin.queues.members.add('support', { agent: '1001' });
  await s.admin.agents.delete('1001');
  await apiError(t, s.admin.agents.get('1001'), 404, 'not_found');
  t.deepEqual(await s.admin.queues.members.list('support'), []);
  await s.admin.agents.create({ extension: '1001', name: 'Alice again' });
  t.deepEqual((await s.admin.agents.get('1001')).skills, {}, 'a new agent on a reused extension inherits nothing');
  await apiError(t, s.admin.agents.delete('1999'), 404, 'not_found');
});

eachDialect('queues and members: defaults, partial settings, membership changes', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const q = await s.admin.queues.create({ name: 'support' });
  t.like(q, { name: 'support', strategy: 'longest-idle', members: [] });
  t.deepEqual(q.settings, {
    serviceLevelSeconds: 20, maxWaitSeconds: 0, maxCallers: 0, ringTimeoutSeconds: 15, wrapUpSeconds: 10, priority: 0,
    announcePositionSeconds: 0, joinWhenEmpty: true, requiredSkills: {},
  });
  await s.admin.skills.create({ name: 'french' });
  const sales = await s.admin.queues.create({ name: 'sales', strategy: 'ring-all', settings: { serviceLevelSeconds: 30, requiredSkills: { french: 2 } } });
  t.like(sales.settings, { serviceLevelSeconds: 30, wrapUpSeconds: 10, requiredSkills: { french: 2 } });
  t.deepEqual((await s.admin.queues.list()).map((x) => x.name), ['sales', 'support']);

  const patched = await s.admin.queues.update('sales', { settings: { wrapUpSeconds: 5 } });
  t.like(patched, { strategy: 'ring-all' });
  t.like(patched.settings, { serviceLevelSeconds: 30, wrapUpSeconds: 5, requiredSkills: { french: 2 } }, 'a settings patch keeps the other settings');
  t.like(await s.admin.queues.update('sales', { strategy: 'round-robin' }), { strategy: 'round-robin' });
  const badSkill = await apiError(t, s.admin.queues.update('sales', { settings: { requiredSkills: { klingon: 1 } } }), 400, 'invalid_input');
  t.deepEqual(badSkill.details, [{ path: '/settings/requiredSkills/klingon', message: 'unknown skill' }]);
  t.like((await s.admin.queues.get('sales')).settings, { requiredSkills: { french: 2 } }, 'a refused patch changes nothing');

  await s.admin.agents.create({ extension: '201', name: 'Ann' });
  await s.admin.agents.create({ extension: '200', name: 'Abe' });
  t.deepEqual(await s.admin.queues.members.add('sales', { agent: '201' }), { agent: '201', name: 'Ann', penalty: 0, level: 1 });
  t.deepEqual(await s.admin.queues.members.add('sales', { agent: '200', penalty: 5, level: 2 }), { agent: '200', name: 'Abe', penalty: 5, level: 2 });
  t.deepEqual(await s.admin.queues.members.add('sales', { agent: '201', level: 3 }), { agent: '201', name: 'Ann', penalty: 0, level: 3 }, 'adding again updates');
  t.deepEqual(await s.admin.queues.members.add('sales', { agent: '201' }), { agent: '201', name: 'Ann', penalty: 0, level: 3 }, 'omitted fields keep their values');
  t.deepEqual((await s.admin.queues.members.list('sales')).map((m) => m.agent), ['200', '201']);
  t.deepEqual((await s.admin.queues.get('sales')).members.map((m) => m.agent), ['200', '201']);
  const unknownAgent = await apiError(t, s.admin.queues.members.add('sales', { agent: '999' }), 400, 'invalid_input');
  t.deepEqual(unknownAgent.details, [{ path: '/agent', message: 'unknown agent' }]);
  await apiError(t, s.admin.queues.members.add('nope', { agent: '200' }), 404, 'not_found');
  await s.admin.queues.members.remove('sales', '201');
  t.deepEqual((await s.admin.queues.members.list('sales')).map((m) => m.agent), ['200']);
  const notMember = await apiError(t, s.admin.queues.members.remove('sales', '201'), 404, 'not_found');
  t.regex(notMember.message, /201/);
  await apiError(t, s.admin.queues.members.remove('sales', '777'), 404, 'not_found');

  await s.admin.queues.delete('sales');
  await apiError(t, s.admin.queues.get('sales'), 404, 'not_found');
  await apiError(t, s.admin.queues.members.list('sales'), 404, 'not_found');
  const recreated = await s.admin.queues.create({ name: 'sales' });
  t.deepEqual(recreated.members, [], 'members went with the deleted queue');
  const dup = await apiError(t, s.admin.queues.create({ name: 'sales' }), 409, 'conflict');
  t.regex(dup.message, /sales/);
  t.deepEqual(dup.details, [{ path: '/name', message: 'already in use' }]);
});

eachDialect('skills, pause reasons and dispositions: CRUD by key', async (t, dialect) => {
  const s = await serve(t, { dialect });
  t.like(await s.admin.skills.create({ name: 'sales' }), { name: 'sales', description: '' });
  t.like(await s.admin.skills.update('sales', { description: 'Selling' }), { name: 'sales', description: 'Selling' });
  t.like(await s.admin.skills.get('sales'), { description: 'Selling' });
  await s.admin.agents.create({ extension: '1001', name: 'A', skills: { sales: 4 } });
  await s.admin.skills.delete('sales');
  t.deepEqual((await s.admin.agents.get('1001')).skills, {}, 'deleting a skill removes it from agents');
  t.deepEqual(await s.admin.skills.list(), []);

  const lunch = await s.admin.pauseReasons.create({ code: 'lunch', label: 'Lunch' });
  t.like(lunch, { code: 'lunch', label: 'Lunch', paid: false, maxMinutes: null });
  t.like(await s.admin.pauseReasons.create({ code: 'break', label: 'Break', paid: true, maxMinutes: 15 }), { paid: true, maxMinutes: 15 });
  t.like(await s.admin.pauseReasons.update('break', { maxMinutes: null }), { code: 'break', paid: true, maxMinutes: null });
  t.like(await s.admin.pauseReasons.update('lunch', { paid: true, label: 'Long lunch' }), { paid: true, label: 'Long lunch', maxMinutes: null });
  t.deepEqual((await s.admin.pauseReasons.list()).map((p) => p.code), ['break', 'lunch']);
  await s.admin.pauseReasons.delete('break');
  await apiError(t, s.admin.pauseReasons.get('break'), 404, 'not_found');

  t.like(await s.admin.dispositions.create({ code: 'sold', label: 'Sold' }), { requiresNote: false });
  t.like(await s.admin.dispositions.update('sold', { requiresNote: true }), { code: 'sold', label: 'Sold', requiresNote: true });
  t.like(await s.admin.dispositions.get('sold'), { requiresNote: true });
  const dup = await apiError(t, s.admin.dispositions.create({ code: 'sold', label: 'Again' }), 409, 'conflict');
  t.regex(dup.message, /sold/);
  await s.admin.dispositions.delete('sold');
  t.deepEqual(await s.admin.dispositions.list(), []);
  for (const [path, key] of [['skills', 'x'], ['pause-reasons', 'x'], ['dispositions', 'x']] as const) {
    errorShape(t, await http(s.url, 'GET', `/v1/${path}/${key}`, { token: s.adminToken }), 404, 'not_found');
    errorShape(t, await http(s.url, 'PATCH', `/v1/${path}/${key}`, { token: s.adminToken, body: {} }), 404, 'not_found');
    errorShape(t, await http(s.url, 'DELETE', `/v1/${path}/${key}`, { token: s.adminToken }), 404, 'not_found');
  }
});

eachDialect('users and tokens: CRUD, the last admin is protected, deleting a user removes its tokens', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const bob = await s.admin.users.create({ name: 'bob', role: 'supervisor', displayName: 'Bob B.' });
  t.like(bob, { name: 'bob', role: 'supervisor', displayName: 'Bob B.', disabled: false });
  t.like(await s.admin.users.create({ name: 'carol', role: 'auditor' }), { displayName: 'carol' });
  t.deepEqual((await s.admin.users.list()).map((u) => u.name), ['admin', 'bob', 'carol']);
  t.like(await s.admin.users.update('bob', { role: 'admin', displayName: 'Boss' }), { role: 'admin', displayName: 'Boss' });
  const dupUser = await apiError(t, s.admin.users.create({ name: 'bob', role: 'agent' }), 409, 'conflict');
  t.regex(dupUser.message, /bob/);

  const tok = await s.admin.tokens.create({ name: 'ci', user: 'bob', expiresInDays: 30 });
  t.regex(tok.token, /^hlt_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
  t.is(tok.token.slice(4, 16), tok.id);
  t.like(tok, { name: 'ci', user: 'bob', revokedAt: null, lastUsedAt: null });
  const days = (Date.parse(tok.expiresAt!) - Date.parse(tok.createdAt)) / 86_400_000;
  t.true(Math.abs(days - 30) < 0.001, `expires in 30 days (${days})`);
  const listed = await s.admin.tokens.list('bob');
  t.deepEqual(listed.map((x) => x.id), [tok.id]);
  t.false(JSON.stringify(listed).includes(tok.token), 'a token is never listed');
  await apiError(t, s.admin.tokens.list('nobody'), 404, 'not_found');
  const unknownUser = await apiError(t, s.admin.tokens.create({ name: 'x', user: 'nobody' }), 400, 'invalid_input');
  t.deepEqual(unknownUser.details, [{ path: '/user', message: 'unknown user' }]);

  // /v1/me names the user, the token and the agent linked to the user.
  await s.admin.agents.create({ extension: '1010', name: 'Bob at a desk', user: 'bob' });
  t.like(await new HotlineClient({ url: s.url, token: tok.token }).me(), { user: { name: 'bob' }, token: tok.id, agent: { extension: '1010' } });
  await s.admin.agents.delete('1010');

  // A token works, records its last use, and stops working when revoked.
  const me = await http(s.url, 'GET', '/v1/me', { token: tok.token });
  t.is(me.status, 200);
  t.like(me.body, { user: { name: 'bob', role: 'admin' }, token: tok.id, agent: null });
  t.regex((await s.admin.tokens.list('bob'))[0]!.lastUsedAt ?? '', ISO);
  const revoked = await s.admin.tokens.revoke(tok.id);
  t.regex(revoked.revokedAt ?? '', ISO);
  t.is((await s.admin.tokens.revoke(tok.id)).revokedAt, revoked.revokedAt, 'revoking twice keeps the first time');
  t.is((await http(s.url, 'GET', '/v1/me', { token: tok.token })).status, 401);
  await apiError(t, s.admin.tokens.revoke('AAAAAAAAAAAA'), 404, 'not_found');

  // The last enabled admin cannot be removed, demoted or disabled; with a second admin it can.
  await s.admin.users.update('bob', { role: 'supervisor' });
  for (const attempt of [s.admin.users.delete('admin'), s.admin.users.update('admin', { role: 'agent' }), s.admin.users.update('admin', { disabled: true })]) {
    const e = await apiError(t, attempt, 409, 'conflict');
    t.regex(e.message, /last enabled admin/);
  }
  await s.admin.users.update('bob', { role: 'admin' });
  const bobToken = await s.admin.tokens.create({ name: 'x', user: 'bob' });
  await s.admin.agents.create({ extension: '1001', name: 'Bob', user: 'bob' });
  await s.admin.users.update('admin', { disabled: true });
  const asBob = await http(s.url, 'GET', '/v1/users/admin', { token: bobToken.token });
  t.like(asBob.body, { name: 'admin', disabled: true });
  t.is((await http(s.url, 'GET', '/v1/me', { token: s.adminToken })).status, 401, 'a disabled user\'s tokens stop working');
  // Bob deletes himself? No: he is now the last enabled admin.
  t.is((await http(s.url, 'DELETE', '/v1/users/bob', { token: bobToken.token })).status, 409);
  t.is((await http(s.url, 'PATCH', '/v1/users/admin', { token: bobToken.token, body: { disabled: false } })).status, 200);
  await s.admin.users.delete('bob');
  t.is((await http(s.url, 'GET', '/v1/me', { token: bobToken.token })).status, 401, 'deleting a user revokes its tokens');
  t.deepEqual(await s.admin.tokens.list().then((l) => l.filter((x) => x.user === 'bob')), []);
  t.is((await s.admin.agents.get('1001')).user, null, 'its agent is unlinked, not deleted');
  await apiError(t, s.admin.users.get('bob'), 404, 'not_found');
  await apiError(t, s.admin.users.update('bob', {}), 404, 'not_found');
});

eachDialect('duplicates are 409 conflicts that name the duplicate; nothing is half-written', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await s.admin.agents.create({ extension: '1001', name: 'Alice' });
  const r = await http(s.url, 'POST', '/v1/agents', { token: s.adminToken, body: { extension: '1001', name: 'Impostor' } });
  errorShape(t, r, 409, 'conflict');
  t.regex(r.body.message, /\b1001\b/);
  t.deepEqual(r.body.details, [{ path: '/extension', message: 'already in use' }]);
  t.is((await s.admin.agents.get('1001')).name, 'Alice');
  // Racing creates of one extension: exactly one wins, the others are clean conflicts (never a 500).
  const racing = await Promise.all(Array.from({ length: 8 }, (_, i) => http(s.url, 'POST', '/v1/agents', { token: s.adminToken, body: { extension: '2001', name: `Racer ${i}` } })));
  t.deepEqual(racing.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
  t.is((await s.admin.agents.list()).filter((a) => a.extension === '2001').length, 1);
  t.is((await s.admin.audit.list({ action: 'agent.created', subjectId: '2001' })).length, 1);
  await s.admin.skills.create({ name: 'sales' });
  errorShape(t, await http(s.url, 'POST', '/v1/skills', { token: s.adminToken, body: { name: 'sales' } }), 409, 'conflict');
  await s.admin.pauseReasons.create({ code: 'lunch', label: 'Lunch' });
  const pr = await http(s.url, 'POST', '/v1/pause-reasons', { token: s.adminToken, body: { code: 'lunch', label: 'L' } });
  errorShape(t, pr, 409, 'conflict');
  t.regex(pr.body.message, /lunch/);
});

eachDialect('validation: unknown fields, wrong types and missing fields are 400 with a path for each problem', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const post = (path: string, body: unknown) => http(s.url, 'POST', path, { token: s.adminToken, body });

  const unknown = await post('/v1/agents', { extension: '1001', name: 'A', bogus: true });
  errorShape(t, unknown, 400, 'invalid_input');
  t.deepEqual(unknown.body.details, [{ path: '/bogus', message: 'unknown field' }]);
  t.regex(unknown.body.message, /\/bogus unknown field/);

  const types = await post('/v1/agents', { extension: 1001, name: 5, maxChats: 'two', skills: { sales: 'high' } });
  errorShape(t, types, 400, 'invalid_input');
  t.deepEqual(types.body.details.map((d: { path: string }) => d.path).sort(), ['/extension', '/maxChats', '/name', '/skills/sales']);

  const missing = await post('/v1/agents', {});
  t.deepEqual(missing.body.details, [{ path: '/extension', message: 'is required' }, { path: '/name', message: 'is required' }]);

  const nested = await post('/v1/queues', { name: 'q', settings: { ringTimeoutSeconds: 1, colour: 'red', requiredSkills: { sales: 11 } } });
  errorShape(t, nested, 400, 'invalid_input');
  t.deepEqual(nested.body.details.map((d: { path: string }) => d.path).sort(), ['/settings/colour', '/settings/requiredSkills/sales', '/settings/ringTimeoutSeconds']);

  const pattern = await post('/v1/agents', { extension: '1', name: '' });
  t.deepEqual(pattern.body.details.map((d: { path: string }) => d.path).sort(), ['/extension', '/name']);
  const badName = await post('/v1/skills', { name: 'Has Spaces' });
  t.deepEqual(badName.body.details.map((d: { path: string }) => d.path), ['/name']);

  // A union of literals names every allowed value, not just the first.
  const role = await post('/v1/users', { name: 'x', role: 'boss' });
  errorShape(t, role, 400, 'invalid_input');
  t.deepEqual(role.body.details, [{ path: '/role', message: 'must be one of ["admin","supervisor","agent","auditor"]' }]);
  const strategy = await post('/v1/queues', { name: 'q', strategy: 'fastest' });
  t.is(strategy.body.details.length, 1);
  t.is(strategy.body.details[0].path, '/strategy');
  for (const st of ['ring-all', 'longest-idle', 'skills-weighted']) t.true(strategy.body.details[0].message.includes(`"${st}"`), st);

  const notObject = await post('/v1/agents', ['1001']);
  errorShape(t, notObject, 400, 'invalid_input');
  t.deepEqual(notObject.body.details, [{ path: '', message: 'must be object' }]);

  const query = await http(s.url, 'GET', '/v1/events?after=x&bogus=1', { token: s.adminToken });
  errorShape(t, query, 400, 'invalid_input');
  t.deepEqual(query.body.details.map((d: { path: string }) => d.path).sort(), ['querystring:/after', 'querystring:/bogus']);
  const limit = await http(s.url, 'GET', '/v1/audit?limit=0', { token: s.adminToken });
  errorShape(t, limit, 400, 'invalid_input');

  // Nothing was created by any of the refused requests.
  t.deepEqual(await s.admin.agents.list(), []);
  t.deepEqual(await s.admin.queues.list(), []);
  t.deepEqual((await s.admin.users.list()).map((u) => u.name), ['admin']);
});

test('malformed requests: invalid JSON, an empty body, a wrong content type, unknown routes and methods', async (t) => {
  const s = await serve(t);
  const token = s.adminToken;
  const badJson = await http(s.url, 'POST', '/v1/agents', { token, rawBody: '{"extension": ' });
  errorShape(t, badJson, 400, 'invalid_input');
  t.deepEqual(badJson.body.details, []);
  errorShape(t, await http(s.url, 'POST', '/v1/agents', { token, rawBody: '' }), 400, 'invalid_input');
  const text = await http(s.url, 'POST', '/v1/agents', { token, rawBody: 'extension=1001', headers: { 'content-type': 'text/plain' } });
  t.true(text.status === 415 || text.status === 400, `status ${text.status}`);
  errorShape(t, text, text.status, 'invalid_input');

  const route = await http(s.url, 'GET', '/v1/nope');
  errorShape(t, route, 404, 'not_found');
  t.deepEqual(route.body, { code: 'not_found', message: 'no route GET /v1/nope', details: [] });
  const method = await http(s.url, 'PUT', '/v1/agents?x=1', { token, body: {} });
  t.deepEqual(method.body, { code: 'not_found', message: 'no route PUT /v1/agents', details: [] });
  const missing = await http(s.url, 'GET', '/v1/agents/4242', { token });
  errorShape(t, missing, 404, 'not_found');
  t.deepEqual(missing.body, { code: 'not_found', message: 'agent "4242" does not exist', details: [] });
  for (const path of ['/v1/queues/none', '/v1/users/none', '/v1/queues/none/members']) {
    errorShape(t, await http(s.url, 'GET', path, { token }), 404, 'not_found');
  }
  errorShape(t, await http(s.url, 'DELETE', '/v1/tokens/none', { token }), 404, 'not_found');
  const badUrl = await http(s.url, 'GET', '/v1/agents/%E0%A4%A', { token });
  errorShape(t, badUrl, 400, 'invalid_input');
  t.deepEqual(badUrl.body.details, []);
  const head = await fetch(`${s.url}/v1/agents`, { method: 'HEAD' });
  t.is(head.status, 401, 'HEAD needs the same token as GET');
  t.is((await fetch(`${s.url}/v1/agents`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } })).status, 200);
  errorShape(t, await http(s.url, 'GET', '/v1/agents', { token: 'x', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }), 401, 'unauthorized');
  t.is((await s.admin.health()).status, 'ok', 'the server is fine after all that');
});

test('a request body over http.bodyLimit is refused with 413 and the error shape', async (t) => {
  const s = await serve(t, { overrides: { 'http.bodyLimit': 1024 } });
  const big = await http(s.url, 'POST', '/v1/agents', { token: s.adminToken, body: { extension: '1001', name: 'x'.repeat(2000) } });
  errorShape(t, big, 413, 'payload_too_large');
  t.deepEqual(big.body, { code: 'payload_too_large', message: 'request body is too large', details: [] });
  const center = await http(s.url, 'POST', '/v1/center/apply', {
    token: s.adminToken,
    body: { center: { apiVersion: 'hotline/v1', kind: 'Center', skills: Array.from({ length: 100 }, (_, i) => ({ name: `skill-${i}` })) } },
  });
  errorShape(t, center, 413, 'payload_too_large');
  t.deepEqual(await s.admin.skills.list(), [], 'nothing applied');
  const body = { center: { apiVersion: 'hotline/v1', kind: 'Center', skills: Array.from({ length: 44 }, (_, i) => ({ name: `skill-${i}` })) } };
  t.true(JSON.stringify(body).length > 900 && JSON.stringify(body).length <= 1024);
  const small = await http(s.url, 'POST', '/v1/center/plan', { token: s.adminToken, body });
  t.is(small.status, 200, 'just under the limit is fine');
});

eachDialect('status reports version, dialect, the database URL without secrets, listeners and the event cursor', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const st = await s.admin.status();
  t.is(st.version, s.server.services.version);
  t.regex(st.version, /^\d+\.\d+\.\d+/);
  t.is(st.node, process.version);
  t.is(st.dataDir, s.dataDir);
  t.deepEqual(st.db, { dialect, url: s.dbUrl });
  t.regex(st.startedAt, ISO);
  t.true(st.uptimeSeconds >= 0);
  t.is(st.listeners['http']?.port, Number(new URL(s.url).port));
  t.is(st.events.cursor, (await s.admin.events.list({ limit: 1000 })).next);
  await s.admin.skills.create({ name: 'x' });
  t.true((await s.admin.status()).events.cursor > st.events.cursor, 'the cursor moves with every change');
});

test('the OpenAPI document describes the API', async (t) => {
  const s = await serve(t);
  const r = await http(s.url, 'GET', '/v1/openapi.json');
  t.is(r.status, 200);
  const doc = r.body;
  t.regex(doc.openapi, /^3\.\d+\.\d+$/);
  t.is(doc.info.title, 'Hotline API');
  t.is(doc.info.version, s.server.services.version);
  t.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer' });
  for (const p of ['/v1/agents', '/v1/agents/{extension}', '/v1/queues', '/v1/queues/{name}/members', '/v1/users', '/v1/tokens', '/v1/audit', '/v1/events', '/v1/center/apply', '/v1/health']) {
    t.truthy(doc.paths[p], `documents ${p}`);
  }
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { summary?: string; responses?: object; tags?: string[] }>>)) {
    t.true(p.startsWith('/v1/'), p);
    for (const [m, op] of Object.entries(ops)) {
      t.truthy(op.summary, `${m} ${p} has a summary`);
      t.truthy(op.responses, `${m} ${p} has responses`);
      t.true((op.tags ?? []).length > 0, `${m} ${p} is tagged`);
      for (const name of p.match(/\{(\w+)\}/g) ?? []) {
        const params = (op as { parameters?: Array<{ in: string; name: string }> }).parameters ?? [];
        t.true(params.some((x) => x.in === 'path' && `{${x.name}}` === name), `${m} ${p} documents ${name}`);
      }
    }
  }
  const createAgent = doc.paths['/v1/agents'].post;
  const schema = createAgent.requestBody.content['application/json'].schema;
  t.deepEqual(schema.required.sort(), ['extension', 'name']);
  t.is(schema.additionalProperties, false);
  t.truthy(createAgent.responses['201']);
  t.truthy(createAgent.responses['4XX'] ?? createAgent.responses['4xx']);
  t.false(r.text.includes(s.adminToken));
  const centerSchema = await http(s.url, 'GET', '/v1/center/schema');
  t.is(centerSchema.status, 200);
  t.is(centerSchema.body.$id, 'https://hotline.invalid/schemas/center.json');
});
