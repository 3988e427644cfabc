/**
 * The registrar in a running server (RFC 3261 §10.3): digest challenge and authentication against the
 * agent's stored HA1s, authorization (To user = username), Expires rules (423 / cap), `*` removal,
 * several contacts, the API view, device events, bindings tied to a WebSocket connection, and bans of
 * an address that keeps failing; and baresip (when installed) as a real peer.
 */
import test, { type ExecutionContext } from 'ava';
import { getHeader, getHeaderValues } from '../src/sip/message.js';
import type { TestServerOptions } from '../src/testing.js';
import { findBaresip, startBaresip } from './baresip.js';
import { allEvents, serve, waitFor } from './helpers.js';
import { registerText, udpPeer, wsPeer } from './sip-ua.js';

const PASSWORD = 'correct horse';
let calls = 0;
const callId = () => `reg-${process.pid}-${++calls}@127.0.0.1`;

async function setup(t: ExecutionContext, opts: TestServerOptions = {}) {
  const s = await serve(t, opts);
  await s.admin.agents.create({ extension: '1001', name: 'A', password: PASSWORD });
  const l = (await s.admin.status()).listeners;
  return { s, udp: l['sipUdp']!.port, ws: l['sipWs']!.port };
}

test('REGISTER over UDP: challenge, digest, contacts, API, events, 403, 423, 500, query and "*"', async (t) => {
  const { s, udp } = await setup(t);
  await s.admin.agents.create({ extension: '1002', name: 'B', password: 'other secret' });
  const c = await udpPeer(t, udp);
  const contact = '<sip:1001@127.0.0.1:5070>';
  const id = callId();

  const challenged = await c.request({ user: '1001', contacts: [contact], callId: id, cseq: 1 });
  t.is(challenged.status, 401);
  const challenges = getHeaderValues(challenged, 'WWW-Authenticate');
  t.is(challenges.length, 2);
  t.regex(challenges[0]!, /^Digest .*algorithm=SHA-256/);
  t.regex(challenges[1]!, /^Digest .*algorithm=MD5/);
  t.regex(challenges[0]!, /realm="[^"]+"/);

  const ok = await c.register({ user: '1001', contacts: [contact], expires: 600, callId: id, cseq: 2 }, PASSWORD);
  t.is(ok.status, 200, ok.reason);
  t.deepEqual(getHeaderValues(ok, 'Contact'), ['<sip:1001@127.0.0.1:5070>;expires=600']);
  t.truthy(getHeader(ok, 'Date'));
  t.false(Number.isNaN(Date.parse(getHeader(ok, 'Date')!)));

  const regs = await s.admin.registrations.list();
  t.is(regs.length, 1);
  t.like(regs[0], { extension: '1001', contact: 'sip:1001@127.0.0.1:5070', transport: 'udp', userAgent: 'registrar-test/1' });
  t.regex(regs[0]!.source, /^127\.0\.0\.1:\d+$/);
  const left = (Date.parse(regs[0]!.expiresAt) - Date.now()) / 1000;
  t.true(left > 590 && left <= 601, String(left));
  const registered = await waitFor('device.registered', async () => (await allEvents(s, ['device.*'])).find((e) => e.type === 'device.registered'));
  t.like(registered.payload, { contact: 'sip:1001@127.0.0.1:5070', transport: 'udp', expires: 600, userAgent: 'registrar-test/1' });
  const ev = (await s.admin.events.list({ types: ['device.*'] })).events[0]!;
  t.like(ev, { subjectType: 'device', subjectId: '1001/sip:1001@127.0.0.1:5070', agentId: '1001' });
  t.deepEqual((await s.admin.audit.list({ subjectType: 'device' })), [], 'device state is not audited');

  // MD5 works too; a second contact; the answer lists both (oldest first).
  const second = await c.register({ user: '1001', contacts: ['<sip:1001@127.0.0.1:5072;transport=udp>;q=0.5'], callId: callId(), cseq: 1 }, PASSWORD, { algorithm: 'MD5' });
  t.is(second.status, 200);
  // The first binding's lifetime has been counting down since it was granted (a few seconds on a slow run).
  const [older, fresh] = getHeaderValues(second, 'Contact');
  const olderLeft = Number(/^<sip:1001@127\.0\.0\.1:5070>;expires=(\d+)$/.exec(older ?? '')?.[1]);
  t.true(olderLeft > 590 && olderLeft <= 600, older);
  t.is(fresh, '<sip:1001@127.0.0.1:5072;transport=udp>;expires=3600;q=0.5');
  t.is((await s.admin.registrations.list()).length, 2);

  // A query (no Contact) lists the bindings and changes nothing.
  const query = await c.register({ user: '1001', callId: callId(), cseq: 1 }, PASSWORD);
  t.is(query.status, 200);
  t.is(getHeaderValues(query, 'Contact').length, 2);

  t.is((await c.register({ user: '1001', contacts: [contact], callId: callId(), cseq: 1 }, 'wrong')).status, 401, 'wrong password');
  t.is((await c.register({ user: '1001', contacts: [contact], callId: callId(), cseq: 1 }, 'other secret', { authUser: '1002' })).status, 403, 'username is not the To user');
  t.is((await c.register({ user: '9999', contacts: [contact], callId: callId(), cseq: 1 }, PASSWORD)).status, 401, 'unknown extension');
  const brief = await c.register({ user: '1001', contacts: [contact], expires: 30, callId: callId(), cseq: 1 }, PASSWORD);
  t.is(brief.status, 423);
  t.is(getHeader(brief, 'Min-Expires'), '60');
  const capped = await c.register({ user: '1001', contacts: ['<sip:1001@127.0.0.1:5074>;expires=99999'], callId: callId(), cseq: 1 }, PASSWORD);
  t.true(getHeaderValues(capped, 'Contact').includes('<sip:1001@127.0.0.1:5074>;expires=3600'));
  // §10.3 step 7: same Call-ID, CSeq not higher than the binding's -> fails, nothing changed.
  const stale = await c.register({ user: '1001', contacts: [contact], expires: 0, callId: id, cseq: 1 }, PASSWORD);
  t.is(stale.status, 500);
  t.is((await s.admin.registrations.list()).length, 3);
  t.is((await c.register({ user: '1001', contacts: ['*'], callId: callId(), cseq: 1 }, PASSWORD)).status, 400, '"*" without Expires: 0');

  const removed = await c.register({ user: '1001', contacts: ['*'], expires: 0, callId: callId(), cseq: 1 }, PASSWORD);
  t.is(removed.status, 200);
  t.deepEqual(getHeaderValues(removed, 'Contact'), []);
  t.deepEqual(await s.admin.registrations.list(), []);
  const gone = await waitFor('device.unregistered x3', async () => {
    const events = (await allEvents(s, ['device.unregistered']));
    return events.length === 3 ? events : null;
  });
  t.true(gone.every((e) => e.payload['reason'] === 'removed'));
});

test('a binding made over a WebSocket goes away when the connection closes', async (t) => {
  const { s, ws } = await setup(t);
  const c = await wsPeer(t, ws);
  const res = await c.register({ user: '1001', transport: 'WS', contacts: ['<sip:abc123@df7jal23ls0d.invalid;transport=ws>'], callId: callId(), cseq: 1 }, PASSWORD);
  t.is(res.status, 200, res.reason);
  const [reg] = await s.admin.registrations.list();
  t.like(reg, { extension: '1001', transport: 'ws', contact: 'sip:abc123@df7jal23ls0d.invalid;transport=ws' });
  await c.close();
  await waitFor('binding removed', async () => (await s.admin.registrations.list()).length === 0);
  const ev = await waitFor('device.unregistered', async () => (await allEvents(s, ['device.unregistered']))[0]);
  t.is(ev.payload['reason'], 'connection-closed');
  t.is(ev.payload['transport'], 'ws');
});

test('an address that keeps failing digest authentication is banned: its requests get no answer', async (t) => {
  const { s, udp } = await setup(t, { sipBans: { maxFailures: 3 } });
  const c = await udpPeer(t, udp);
  // A missing Authorization is not a failure: clients always start without one.
  for (let i = 0; i < 3; i++) t.is((await c.request({ user: '1001', contacts: ['<sip:1001@127.0.0.1:5070>'], callId: callId(), cseq: 1 })).status, 401);
  for (let i = 0; i < 3; i++) {
    t.is((await c.register({ user: '1001', contacts: ['<sip:1001@127.0.0.1:5070>'], callId: callId(), cseq: 1 }, 'wrong')).status, 401);
  }
  // The third failure banned 127.0.0.1: even a first, credential-less REGISTER is dropped silently.
  // The server reads its UDP socket in order, so once a sentinel from 127.0.0.2 (not banned) has its
  // answer, the banned request before it has been handled: had it been answered, that answer (sent
  // as directly as the sentinel's) would be waiting unread at the banned peer.
  await c.send(registerText({ user: '1001', contacts: ['<sip:1001@127.0.0.1:5070>'], callId: callId(), cseq: 1 }));
  const sentinel = await udpPeer(t, udp, '127.0.0.2');
  t.is((await sentinel.request({ user: '1001', contacts: ['<sip:1001@127.0.0.2:5070>'], callId: callId(), cseq: 1 })).status, 401);
  t.is(c.unread(), 0, 'the banned address got no answer');
  t.deepEqual(await s.admin.registrations.list(), []);
});

const baresip = findBaresip();
const realPeer = baresip ? test : test.skip;
if (!baresip) console.warn('baresip registration test skipped: baresip is not installed (Debian package baresip-core)');

realPeer('baresip, a real SIP peer, registers over UDP with digest credentials', async (t) => {
  const { s, udp } = await setup(t);
  await s.admin.agents.create({ extension: '1003', name: 'C', password: 'baresip-secret' });
  const peer = startBaresip(t, baresip!, {
    accounts: `<sip:1003@127.0.0.1:${udp};transport=udp>;auth_pass=baresip-secret;regint=60\n`,
    config: ['poll_method epoll', 'sip_listen 127.0.0.1:0', 'module_path /usr/lib/baresip/modules', 'module g711.so', 'module_app account.so', ''].join('\n'),
  });
  const ev = await waitFor(`device.registered from baresip (its output: ${peer.output()})`, async () =>
    (await s.admin.events.list({ types: ['device.registered'] })).events.find((e) => e.agentId === '1003'), 20_000).catch((err: Error) => {
    throw new Error(`${err.message}\nbaresip said:\n${peer.output()}`);
  });
  t.like(ev.payload, { transport: 'udp', expires: 60 });
  t.regex(String(ev.payload['userAgent']), /baresip/i);
  const [reg] = (await s.admin.registrations.list()).filter((r) => r.extension === '1003');
  t.like(reg, { extension: '1003', transport: 'udp' });
});
