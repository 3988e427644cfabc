/**
 * Secrets never leak: API tokens, SIP passwords, their digest HA1s and token hashes appear in no
 * response (except the one-time creation response of a token or generated password), in no audit
 * entry, in no event, in no log line (captured at `trace`), and passwords and tokens are not stored.
 * The bootstrap admin token is written once, mode 0600.
 */
import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HotlineEvent } from '../src/client/index.js';
import { entities } from '../src/db/entities/index.js';
import type { TestServer } from '../src/testing.js';
import { eachDialect, http, memoryLogger, serve, waitFor, type RawOptions, type RawResponse } from './helpers.js';

const REALM = 'hotline';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

interface Secret {
  label: string;
  value: string;
}

/** Every response of the test, to search afterwards; `allowed` marks the one response that may show a secret. */
class Recorder {
  readonly responses: Array<{ what: string; text: string; allowed: Set<string> }> = [];
  constructor(private readonly s: TestServer) {}
  async call(method: string, path: string, o: RawOptions = {}, allowed: string[] = []): Promise<RawResponse> {
    const r = await http(this.s.url, method, path, { token: this.s.adminToken, ...o });
    this.responses.push({ what: `${method} ${path} -> ${r.status}`, text: r.text + JSON.stringify([...r.headers]), allowed: new Set(allowed) });
    return r;
  }
}

function passwordSecrets(label: string, extension: string, password: string): Secret[] {
  return [
    { label: `${label} password`, value: password },
    { label: `${label} HA1 md5`, value: md5(`${extension}:${REALM}:${password}`) },
    { label: `${label} HA1 sha256`, value: sha256(`${extension}:${REALM}:${password}`) },
  ];
}

function tokenSecrets(label: string, token: string): Secret[] {
  if (token.slice(17).length !== 43) throw new Error('unexpected token format');
  return [
    { label: `${label} token`, value: token },
    { label: `${label} token secret part`, value: token.slice(17) },
    { label: `${label} token hash`, value: sha256(token) },
  ];
}

function assertAbsent(t: ExecutionContext, where: string, text: string, secrets: Secret[], allowed: Set<string> = new Set()): void {
  for (const s of secrets) {
    if (allowed.has(s.value)) continue;
    t.false(text.includes(s.value), `${s.label} appears in ${where}`);
  }
}

eachDialect('no token, password, HA1 or token hash in any response, audit entry, event, log line or table', async (t, dialect) => {
  const { logger, lines } = memoryLogger();
  const s = await serve(t, { dialect, logger });
  const rec = new Recorder(s);
  const secrets: Secret[] = [...tokenSecrets('bootstrap', s.adminToken)];
  const streamed: HotlineEvent[] = [];
  const ac = new AbortController();
  const stream = s.admin.events.stream({ after: 0, signal: ac.signal, onEvent: (e) => streamed.push(e) });

  // Tokens: minted for another user, used, revoked; the creation response is the only place it shows.
  t.is((await rec.call('POST', '/v1/users', { body: { name: 'alice', role: 'supervisor' } })).status, 201);
  const created = await rec.call('POST', '/v1/tokens', { body: { name: 'laptop', user: 'alice' } });
  const aliceToken = created.body.token as string;
  t.regex(aliceToken, /^hlt_/);
  secrets.push(...tokenSecrets('alice', aliceToken));
  rec.responses.at(-1)!.allowed = new Set([aliceToken, aliceToken.slice(17)]);
  t.is((await rec.call('GET', '/v1/me', { token: aliceToken })).status, 200);
  t.is((await rec.call('GET', '/v1/agents', { token: aliceToken.slice(0, -2) + 'xx' })).status, 401);
  t.is((await rec.call('GET', '/v1/agents', { headers: { authorization: `Basic ${Buffer.from(`alice:${aliceToken}`).toString('base64')}` } , token: null })).status, 401);

  // SIP passwords: given on create and update, generated on create and update, set by a center file.
  const given = 'given-password-1';
  secrets.push(...passwordSecrets('given', '1001', given));
  t.is((await rec.call('POST', '/v1/agents', { body: { extension: '1001', name: 'Given', password: given } })).status, 201);
  const gen = await rec.call('POST', '/v1/agents', { body: { extension: '1002', name: 'Generated', generatePassword: true } });
  const generated = gen.body.sipPassword as string;
  t.regex(generated, /^[A-Za-z0-9_-]{20}$/);
  secrets.push(...passwordSecrets('generated', '1002', generated));
  rec.responses.at(-1)!.allowed = new Set([generated]);
  const changed = 'changed-password-2';
  secrets.push(...passwordSecrets('changed', '1001', changed));
  t.is((await rec.call('PATCH', '/v1/agents/1001', { body: { password: changed } })).status, 200);
  const regen = await rec.call('PATCH', '/v1/agents/1002', { body: { generatePassword: true } });
  const regenerated = regen.body.sipPassword as string;
  secrets.push(...passwordSecrets('regenerated', '1002', regenerated));
  rec.responses.at(-1)!.allowed = new Set([regenerated]);
  const tooShort = 'Zq9#xK';
  secrets.push({ label: 'refused password', value: tooShort });
  t.is((await rec.call('PATCH', '/v1/agents/1001', { body: { password: tooShort } })).status, 400);
  t.is((await rec.call('PATCH', '/v1/agents/1001', { body: { password: 'conflicting-pass', generatePassword: true } })).status, 400);
  secrets.push({ label: 'conflicting password', value: 'conflicting-pass' });

  const fromFile = 'center-file-password-3';
  const fromFile2 = 'center-file-password-4';
  secrets.push(...passwordSecrets('center new', '1003', fromFile), ...passwordSecrets('center changed', '1001', fromFile2));
  const center = {
    apiVersion: 'hotline/v1', kind: 'Center',
    agents: [{ extension: '1001', name: 'Given', password: fromFile2 }, { extension: '1003', name: 'From file', password: fromFile }],
  };
  const plan = await rec.call('POST', '/v1/center/plan', { body: { center } });
  t.is(plan.status, 200);
  t.deepEqual(plan.body.changes.map((c: { key: string; fields: Array<{ field: string; to: unknown }> }) => [c.key, c.fields.find((f) => f.field === 'password')?.to]), [['1001', '(set)'], ['1003', '(set)']]);
  t.is((await rec.call('POST', '/v1/center/apply', { body: { center } })).status, 200);
  const invalidCenter = { ...center, agents: [{ extension: '1004', name: 'Bad', password: tooShort }] };
  t.is((await rec.call('POST', '/v1/center/apply', { body: { center: invalidCenter } })).status, 400);
  t.is((await rec.call('POST', '/v1/center/apply', { body: { center: { ...center, agents: [{ ...center.agents[0], password: fromFile2, bogus: 1 }] } } })).status, 400);

  // Read everything back.
  for (const path of ['/v1/agents', '/v1/agents/1001', '/v1/agents/1002', '/v1/agents/1003', '/v1/users', '/v1/tokens', '/v1/audit?limit=1000',
    '/v1/events?limit=1000', '/v1/center', '/v1/status', '/v1/me', '/v1/openapi.json']) {
    t.is((await rec.call('GET', path)).status, 200, path);
  }
  t.is((await rec.call('DELETE', `/v1/tokens/${created.body.id}`)).status, 200);
  t.is((await rec.call('GET', '/v1/me', { token: aliceToken })).status, 401);

  const audit = await s.admin.audit.list({ limit: 1000 });
  const events = (await s.admin.events.list({ limit: 1000 })).events;
  t.true(audit.some((a) => a.action === 'agent.updated') && events.some((e) => e.type === 'token.created'), 'there is something to search');
  const last = events.at(-1)!.cursor;
  await waitFor('the stream to catch up', () => streamed.at(-1)?.cursor === last);
  ac.abort();
  await stream;

  // Everything the database holds, as text.
  const tables: string[] = [];
  for (const e of entities) {
    const name = s.server.services.store.ds.getMetadata(e).tableName;
    tables.push(`${name}: ${JSON.stringify(await s.server.services.store.ds.query(`SELECT * FROM ${name}`))}`);
  }
  await s.stop(); // flush the shutdown log lines too

  for (const r of rec.responses) assertAbsent(t, `the response of ${r.what}`, r.text, secrets, r.allowed);
  assertAbsent(t, 'the audit log', JSON.stringify(audit), secrets);
  assertAbsent(t, 'the event log', JSON.stringify(events), secrets);
  assertAbsent(t, 'the event stream', JSON.stringify(streamed), secrets);
  t.true(lines.length > 10, `the log captured lines (${lines.length})`);
  t.true(lines.some((l) => l.includes('"request"')), 'request lines are logged at debug');
  for (const [i, line] of lines.entries()) assertAbsent(t, `log line ${i}: ${line.slice(0, 120)}`, line, secrets);
  // Stored: only hashes of tokens, only HA1s of passwords.
  const stored = tables.join('\n');
  const plain = secrets.filter((x) => / (token|password|token secret part)$/.test(x.label));
  assertAbsent(t, 'the database', stored, plain);
  t.true(stored.includes(sha256(s.adminToken)), 'token hashes are what is stored');
  t.true(stored.includes(md5(`1001:${REALM}:${fromFile2}`)), 'HA1s are what is stored');
});

test('the bootstrap admin token: written once at first start, mode 0600, never logged; a restart does not rewrite it', async (t) => {
  const { logger, lines } = memoryLogger();
  const s = await serve(t, { logger });
  const file = join(s.dataDir, 'admin.token');
  t.is(s.server.tokenFile, file);
  const st = statSync(file);
  t.is(st.mode & 0o777, 0o600);
  const content = readFileSync(file, 'utf8');
  t.regex(content, /^hlt_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}\n$/);
  t.is((await s.admin.me()).user.name, 'admin');
  t.true(lines.some((l) => l.includes('admin token written') && l.includes(file)), 'the path is logged');
  t.false(lines.some((l) => l.includes(content.trim())), 'the token is not');
  const tokensBefore = await s.admin.tokens.list();

  await s.restart();
  t.is(s.server.tokenFile, null, 'a second start creates no admin');
  const again = statSync(file);
  t.is(readFileSync(file, 'utf8'), content);
  t.is(again.mtimeMs, st.mtimeMs);
  t.is(again.ino, st.ino);
  t.is(again.mode & 0o777, 0o600);
  t.deepEqual((await s.admin.tokens.list()).map((x) => x.id), tokensBefore.map((x) => x.id), 'no new token');
  t.deepEqual((await s.admin.users.list()).map((u) => u.name), ['admin']);
  t.is(lines.filter((l) => l.includes('admin token written')).length, 1);
  t.false(lines.some((l) => l.includes(content.trim())));
});

test('the client keeps its token out of inspection (a logged client does not leak it)', async (t) => {
  const s = await serve(t);
  const { inspect } = await import('node:util');
  t.false(inspect(s.admin, { depth: 5, showHidden: true }).includes(s.adminToken));
  t.false(Object.values(s.admin).some((v) => v === s.adminToken));
});
