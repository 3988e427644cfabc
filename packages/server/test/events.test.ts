/**
 * The event log and the audit log: every change writes one audit row and one event in its transaction;
 * events page by cursor with type filters; the WebSocket stream replays from a cursor and continues live
 * with no gap and no duplicate, even while writes are under way.
 */
import type { ExecutionContext } from 'ava';
import { ApiError, type HotlineClient, type HotlineEvent } from '../src/client/index.js';
import type { TestServer } from '../src/testing.js';
import { allAudit, allEvents, deferred, eachDialect, serve, waitFor } from './helpers.js';

interface Expect {
  type: string;
  subjectType: string;
  /** The subject, or a function giving it once the change ran (ids minted by the server). */
  subjectId: string | (() => string);
  agentId?: string | null;
  queueId?: string | null;
  before: boolean;
  after: boolean;
}

/** Run one mutation and check that it wrote exactly these events, each with its audit row. */
async function expectChange(t: ExecutionContext, s: TestServer, actor: string, what: string, run: () => Promise<unknown>, expected: Expect[]): Promise<void> {
  const cursor = await s.server.services.store.events.lastCursor();
  const auditBefore = (await allAudit(s)).at(-1)?.id ?? 0;
  await run();
  const events = (await s.admin.events.list({ after: cursor, limit: 1000 })).events;
  const audit = await s.admin.audit.list({ after: auditBefore, limit: 1000 });
  t.deepEqual(events.map((e) => e.type), expected.map((e) => e.type), `${what}: events`);
  t.deepEqual(audit.map((a) => a.action), expected.map((e) => e.type), `${what}: audit rows`);
  expected.forEach((x, i) => {
    const e = events[i];
    const a = audit[i];
    if (!e || !a) return;
    const subjectId = typeof x.subjectId === 'function' ? x.subjectId() : x.subjectId;
    t.like(e, { subjectType: x.subjectType, subjectId, agentId: x.agentId ?? null, queueId: x.queueId ?? null }, `${what}: event ${x.type}`);
    t.is(e.payload['by'], actor, `${what}: event says who`);
    t.is('before' in e.payload, x.before, `${what}: event before`);
    t.is('after' in e.payload, x.after, `${what}: event after`);
    t.like(a, { actor, source: '127.0.0.1', subjectType: x.subjectType, subjectId }, `${what}: audit ${x.type}`);
    t.deepEqual(a.before, x.before ? e.payload['before'] : null, `${what}: audit before = event before`);
    t.deepEqual(a.after, x.after ? e.payload['after'] : null, `${what}: audit after = event after`);
    t.true(Math.abs(Date.parse(a.at) - Date.parse(e.at)) < 5000, `${what}: same moment`);
  });
}

const created = (type: string, subjectType: string, subjectId: Expect['subjectId'], ids: Partial<Expect> = {}): Expect => ({ type, subjectType, subjectId, before: false, after: true, ...ids });
const updated = (type: string, subjectType: string, subjectId: Expect['subjectId'], ids: Partial<Expect> = {}): Expect => ({ type, subjectType, subjectId, before: true, after: true, ...ids });
const deleted = (type: string, subjectType: string, subjectId: Expect['subjectId'], ids: Partial<Expect> = {}): Expect => ({ type, subjectType, subjectId, before: true, after: false, ...ids });

eachDialect('every mutation writes one event and one audit row: who, what, before/after, from where', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const ops = await s.clientFor('admin', 'ops');
  const a = ops.user;
  const c = (what: string, run: () => Promise<unknown>, ...exp: Expect[]) => expectChange(t, s, a, what, run, exp);
  const q = { queueId: 'sales' };

  await c('create user', () => ops.users.create({ name: 'bob', role: 'agent' }), created('user.created', 'user', 'bob'));
  await c('update user', () => ops.users.update('bob', { displayName: 'Bob' }), updated('user.updated', 'user', 'bob'));
  let tokenId = '';
  await c('create token', async () => (tokenId = (await ops.tokens.create({ name: 'ci', user: 'bob' })).id), created('token.created', 'token', () => tokenId));
  await c('revoke token', () => ops.tokens.revoke(tokenId), updated('token.revoked', 'token', tokenId));
  await c('create skill', () => ops.skills.create({ name: 'sales' }), created('skill.created', 'skill', 'sales'));
  await c('update skill', () => ops.skills.update('sales', { description: 'Selling' }), updated('skill.updated', 'skill', 'sales'));
  await c('create pause reason', () => ops.pauseReasons.create({ code: 'lunch', label: 'Lunch' }), created('pause_reason.created', 'pause_reason', 'lunch'));
  await c('update pause reason', () => ops.pauseReasons.update('lunch', { paid: true }), updated('pause_reason.updated', 'pause_reason', 'lunch'));
  await c('delete pause reason', () => ops.pauseReasons.delete('lunch'), deleted('pause_reason.deleted', 'pause_reason', 'lunch'));
  await c('create disposition', () => ops.dispositions.create({ code: 'sold', label: 'Sold' }), created('disposition.created', 'disposition', 'sold'));
  await c('update disposition', () => ops.dispositions.update('sold', { label: 'Won' }), updated('disposition.updated', 'disposition', 'sold'));
  await c('delete disposition', () => ops.dispositions.delete('sold'), deleted('disposition.deleted', 'disposition', 'sold'));
  await c('create agent', () => ops.agents.create({ extension: '1001', name: 'Alice', skills: { sales: 3 } }), created('agent.created', 'agent', '1001', { agentId: '1001' }));
  await c('update agent', () => ops.agents.update('1001', { password: 'a long password' }), updated('agent.updated', 'agent', '1001', { agentId: '1001' }));
  await c('create queue', () => ops.queues.create({ name: 'sales' }), created('queue.created', 'queue', 'sales', q));
  await c('update queue', () => ops.queues.update('sales', { strategy: 'ring-all' }), updated('queue.updated', 'queue', 'sales', q));
  await c('add member', () => ops.queues.members.add('sales', { agent: '1001' }), created('queue.member_added', 'queue', 'sales', { ...q, agentId: '1001' }));
  await c('update member', () => ops.queues.members.add('sales', { agent: '1001', penalty: 3 }), updated('queue.member_updated', 'queue', 'sales', { ...q, agentId: '1001' }));
  await c('remove member', () => ops.queues.members.remove('sales', '1001'), deleted('queue.member_removed', 'queue', 'sales', { ...q, agentId: '1001' }));
  await c(
    'apply a center file',
    () => ops.center.apply({ apiVersion: 'hotline/v1', kind: 'Center', skills: [{ name: 'sales', description: 'Selling' }, { name: 'french' }] }),
    created('skill.created', 'skill', 'french'),
    created('center.applied', 'center', 'center'),
  );
  await c('delete agent', () => ops.agents.delete('1001'), deleted('agent.deleted', 'agent', '1001', { agentId: '1001' }));
  await c('delete queue', () => ops.queues.delete('sales'), deleted('queue.deleted', 'queue', 'sales', q));
  await c('delete skill', () => ops.skills.delete('sales'), deleted('skill.deleted', 'skill', 'sales'));
  await c('delete user', () => ops.users.delete('bob'), deleted('user.deleted', 'user', 'bob'));

  // Refused changes and reads write nothing.
  await c('refused change', () => t.throwsAsync(ops.agents.create({ extension: '1002', name: 'X', skills: { nope: 1 } })));
  await c('conflict', () => t.throwsAsync(ops.skills.create({ name: 'french' }), { instanceOf: ApiError, message: /already exists/ }));
  await c('reads', () => Promise.all([ops.agents.list(), ops.status(), ops.center.export(), ops.center.plan({ apiVersion: 'hotline/v1', kind: 'Center', skills: [] }, true)]));

  // Before/after carry the state (an update shows what changed), and the center summary is recorded.
  const audit = await s.admin.audit.list({ action: 'user.updated', limit: 10 });
  t.like(audit.at(-1), { before: { name: 'bob', displayName: 'bob' }, after: { name: 'bob', displayName: 'Bob' } });
  const applied = await s.admin.audit.list({ action: 'center.applied' });
  t.deepEqual(applied.at(-1)?.after, { create: 1, update: 0, delete: 0 }, 'sales was already as described');
  const agentUpdate = (await s.admin.audit.list({ action: 'agent.updated' })).at(-1)!;
  t.like(agentUpdate, { before: { hasSipCredentials: false }, after: { hasSipCredentials: true, sipCredentialsChanged: true } });
});

eachDialect('the audit log filters by action (exact or prefix), actor and subject', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const sup = await s.clientFor('supervisor', 'sue');
  await s.admin.agents.create({ extension: '1001', name: 'A' });
  await s.admin.queues.create({ name: 'sales' });
  await s.admin.queues.create({ name: 'support' });
  await sup.queues.members.add('sales', { agent: '1001' });
  await s.admin.pauseReasons.create({ code: 'lunch', label: 'L' });
  const actions = async (q: Parameters<TestServer['admin']['audit']['list']>[0]) => (await s.admin.audit.list(q)).map((x) => `${x.action}:${x.subjectId}`);
  t.deepEqual(await actions({ action: 'queue.created' }), ['queue.created:sales', 'queue.created:support']);
  t.deepEqual(await actions({ action: 'queue.*' }), ['queue.created:sales', 'queue.created:support', 'queue.member_added:sales']);
  t.deepEqual(await actions({ action: 'queue.member_*' }), [], 'only `x.*` is a prefix; anything else is an exact action');
  t.deepEqual(await actions({ action: 'queue.member_added' }), ['queue.member_added:sales']);
  t.deepEqual(await actions({ action: 'queu_.*' }), [], '_ is literal');
  t.deepEqual(await actions({ action: 'pause_reason.*' }), ['pause_reason.created:lunch']);
  t.deepEqual(await actions({ actor: 'sue' }), ['queue.member_added:sales']);
  t.deepEqual(await actions({ subjectType: 'queue', subjectId: 'support' }), ['queue.created:support']);
  const all = await s.admin.audit.list({});
  t.deepEqual(all.map((x) => x.id), [...all.map((x) => x.id)].sort((x, y) => x - y));
  const page = await s.admin.audit.list({ after: all[2]!.id, limit: 2 });
  t.deepEqual(page.map((x) => x.id), [all[3]!.id, all[4]!.id]);
});

/** A known event log: agents, queues, members, skills, pause reasons. */
async function populate(s: TestServer): Promise<void> {
  for (const n of ['sales', 'billing']) await s.admin.skills.create({ name: n });
  for (let i = 0; i < 5; i++) await s.admin.agents.create({ extension: `10${i}`, name: `Agent ${i}` });
  for (const n of ['q1', 'q2', 'q3']) await s.admin.queues.create({ name: n });
  for (let i = 0; i < 3; i++) await s.admin.queues.members.add('q1', { agent: `10${i}` });
  await s.admin.pauseReasons.create({ code: 'lunch', label: 'Lunch' });
  await s.admin.pauseReasons.create({ code: 'after_call', label: 'After call' });
  await s.admin.agents.update('101', { name: 'Renamed' });
}

eachDialect('GET /v1/events pages by cursor and filters by type, exact or by prefix', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await populate(s);
  const all = await allEvents(s);
  const types = all.map((e) => e.type);
  t.true(all.length > 15);
  t.deepEqual(all.map((e) => e.cursor), [...new Set(all.map((e) => e.cursor))].sort((x, y) => x - y), 'strictly increasing');

  // Paging with after/limit visits every event once; `next` is the cursor to continue from.
  const seen: number[] = [];
  let after = 0;
  for (let pages = 0; pages < 100; pages++) {
    const page = await s.admin.events.list({ after, limit: 7 });
    t.true(page.events.length <= 7);
    if (page.events.length === 0) {
      t.is(page.next, after, 'an empty page keeps the cursor');
      break;
    }
    t.is(page.next, page.events.at(-1)!.cursor);
    seen.push(...page.events.map((e) => e.cursor));
    after = page.next;
  }
  t.deepEqual(seen, all.map((e) => e.cursor));
  t.deepEqual((await s.admin.events.list({ after: all.at(-1)!.cursor + 1000 })).events, []);
  t.is((await s.admin.events.list()).events.length, Math.min(100, all.length), 'default page size');

  const filtered = async (f: string[]) => (await allEvents(s, f)).map((e) => e.type);
  t.deepEqual(await filtered(['agent.created']), types.filter((x) => x === 'agent.created'));
  t.deepEqual(await filtered(['agent.*']), types.filter((x) => x.startsWith('agent.')));
  t.deepEqual(await filtered(['agent.*']), [...Array(5).fill('agent.created'), 'agent.updated']);
  t.deepEqual(await filtered(['queue.*']), types.filter((x) => x.startsWith('queue.')));
  t.deepEqual(await filtered(['queue.member_added']), Array(3).fill('queue.member_added'));
  t.deepEqual(await filtered(['pause_reason.*']), Array(2).fill('pause_reason.created'), 'prefixes with _ work');
  t.deepEqual(await filtered(['skill.created', 'queue.created']), types.filter((x) => x === 'skill.created' || x === 'queue.created'));
  t.deepEqual(await filtered(['*']), types);
  t.deepEqual(await filtered(['agent%']), [], 'SQL wildcards are literal');
  t.deepEqual(await filtered(['agen_.*']), [], '_ is literal in a prefix');
  t.deepEqual(await filtered(['agent%.*']), [], '% is literal in a prefix');
  t.deepEqual(await filtered(['nothing.*']), []);
  // Filters and paging together.
  const firstTwo = await s.admin.events.list({ types: ['agent.*'], limit: 2 });
  const rest = await s.admin.events.list({ types: ['agent.*'], after: firstTwo.next });
  t.deepEqual([...firstTwo.events, ...rest.events].map((e) => e.type), [...Array(5).fill('agent.created'), 'agent.updated']);
  // The raw query string form.
  const raw = await s.admin.request<{ events: HotlineEvent[] }>('GET', '/v1/events?type=skill.created,%20queue.created&limit=1000');
  t.deepEqual(raw.events.map((e) => e.type), types.filter((x) => x === 'skill.created' || x === 'queue.created'));
  await t.throwsAsync(s.admin.events.list({ limit: 1001 }), { instanceOf: ApiError, message: /limit/ });
});

/** Follow the stream, collecting events, until stopped. */
function follow(client: HotlineClient, o: { after?: number; types?: string[] }) {
  const events: HotlineEvent[] = [];
  const lives: number[] = [];
  const live = deferred<number>();
  const ac = new AbortController();
  const done = client.events.stream({
    ...o,
    signal: ac.signal,
    onEvent: (e) => events.push(e),
    onLive: (c) => {
      lives.push(c);
      live.resolve(c);
    },
  });
  return { events, lives, live: live.promise, stop: () => (ac.abort(), done), done };
}

eachDialect('the stream replays from a cursor and continues live with no gap and no duplicate, under concurrent writes', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const total = 200;
  let written = 0;
  // Writers in the background: creates and updates from 4 concurrent clients.
  const writer = async (w: number) => {
    for (let i = w; i < total; i += 4) {
      if (i % 5 === 4) await s.admin.skills.update(`s-${i - 4}`, { description: `updated ${i}` }); // created by this writer
      else await s.admin.skills.create({ name: `s-${i}` });
      written++;
    }
  };
  const writers = Promise.all([0, 1, 2, 3].map((w) => writer(w)));
  writers.catch(() => {}); // awaited below; never an unhandled rejection if the test fails first
  await waitFor('a quarter of the writes', () => written >= total / 4);
  const fromZero = follow(s.admin, { after: 0 });
  const midCursor = await s.server.services.store.events.lastCursor();
  const fromMid = follow(s.admin, { after: midCursor });
  const updatesOnly = follow(s.admin, { after: 0, types: ['skill.updated'] });
  const liveOnly = follow(s.admin, {});
  t.true(written < total, 'the streams opened while writes were still under way');
  await writers;
  const last = await s.server.services.store.events.lastCursor();
  for (const f of [fromZero, fromMid, liveOnly]) await waitFor('the stream to reach the last cursor', () => f.events.at(-1)?.cursor === last);
  await waitFor('the filtered stream to catch up', async () => updatesOnly.events.length === (await allEvents(s, ['skill.updated'])).length);
  await Promise.all([fromZero.stop(), fromMid.stop(), updatesOnly.stop(), liveOnly.stop()]);

  const db = await allEvents(s);
  t.is(db.length, 2 + total, 'bootstrap (user, token) and one event per write');
  t.deepEqual(fromZero.events.map((e) => e.cursor), db.map((e) => e.cursor), 'from 0: every event, once, in order');
  t.deepEqual(fromZero.events, db.map((e) => fromZero.events.find((x) => x.cursor === e.cursor) ?? e), 'events are complete');
  t.deepEqual(fromMid.events.map((e) => e.cursor), db.filter((e) => e.cursor > midCursor).map((e) => e.cursor), 'from a cursor: everything after it');
  t.deepEqual(updatesOnly.events.map((e) => e.cursor), db.filter((e) => e.type === 'skill.updated').map((e) => e.cursor), 'type filter');
  t.true(updatesOnly.events.length >= total / 5 - 1);
  for (const f of [fromZero, fromMid, updatesOnly, liveOnly]) {
    t.is(f.lives.length, 1, 'onLive is called once');
    const cursors = f.events.map((e) => e.cursor);
    t.deepEqual(cursors, [...new Set(cursors)].sort((x, y) => x - y), 'strictly increasing');
  }
  // Without `after` the stream starts at the live end (what was committed before it subscribed may be
  // replayed, racing writers), and from its first event on it misses nothing.
  const first = liveOnly.events[0]!.cursor;
  t.true(first > midCursor, 'without `after` the stream starts at the live end');
  const liveFrom = liveOnly.lives[0]!;
  t.deepEqual(liveOnly.events.map((e) => e.cursor).filter((c) => c > liveFrom), db.map((e) => e.cursor).filter((c) => c > liveFrom), 'everything after the live point');
  t.deepEqual(liveOnly.events.map((e) => e.cursor), db.filter((e) => e.cursor >= first).map((e) => e.cursor), 'a gapless suffix of the log');
});

eachDialect('the stream: onLive reports the replay end, live events follow, filters apply live, and agents may not listen', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await populate(s);
  const before = await s.server.services.store.events.lastCursor();
  const f = follow(s.admin, { after: 0, types: ['agent.*'] });
  t.is(await f.live, (await allEvents(s, ['agent.*'])).at(-1)!.cursor, 'live at the last replayed event');
  t.is(f.events.length, 6);
  await s.admin.skills.create({ name: 'ignored' });
  await s.admin.agents.create({ extension: '200', name: 'Live' });
  await waitFor('the live agent event', () => f.events.length === 7);
  await f.stop();
  t.like(f.events.at(-1), { type: 'agent.created', subjectId: '200', agentId: '200' });
  t.true(f.events.at(-1)!.cursor > before + 1, 'the skill event in between was filtered out');
  t.deepEqual(f.lives.length, 1);

  const empty = follow(s.admin, { after: 0, types: ['nothing.*'] });
  t.is(await empty.live, 0, 'nothing to replay: live at the requested cursor');
  await empty.stop();

  const agent = await s.clientFor('agent');
  const err = await t.throwsAsync(agent.events.stream({ after: 0, onEvent: () => {} }), { instanceOf: ApiError });
  t.is(err?.status, 403);
  t.is(err?.code, 'forbidden');
  t.regex(err?.message ?? '', /events:read/);
  const badCursor = await t.throwsAsync(s.admin.events.stream({ after: -1, onEvent: () => {} }), { instanceOf: ApiError });
  t.is(badCursor?.status, 400, 'the query is validated before the upgrade');
  t.regex(badCursor?.message ?? '', /after/);
  const auditor = await s.clientFor('auditor');
  const a = follow(auditor, { after: before });
  await a.live;
  await a.stop();
  t.true(a.events.length >= 2, 'auditors may listen');
});
