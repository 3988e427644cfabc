/**
 * Registrar (sip/registrar.ts) without sockets, under FakeClock: expiry by timer, refresh, bindings
 * tied to a connection, the sink, and which authentication failures count against an address.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { FakeClock } from '../src/sip/clock.js';
import { DigestAuthenticator } from '../src/sip/digest-auth.js';
import type { SipRequest } from '../src/sip/message.js';
import { parseMessage } from '../src/sip/parse.js';
import { type Binding, type BindingSource, Registrar, type UnregisterReason } from '../src/sip/registrar.js';
import { authorize, challengeFor, registerText, type RegisterSpec } from './sip-ua.js';

const REALM = 'hotline.test';
const PASSWORD = 'correct horse';
const ha1 = (alg: 'md5' | 'sha256') => createHash(alg).update(`1001:${REALM}:${PASSWORD}`).digest('hex');

function harness() {
  const clock = new FakeClock(1_000_000);
  const events: Array<[string, string, UnregisterReason?]> = [];
  const failures: string[] = [];
  const registrar = new Registrar({
    realm: REALM,
    clock,
    wallClock: () => 1_700_000_000_000 + clock.now(),
    auth: new DigestAuthenticator({ clock }),
    credentials: { lookup: async (ext) => (ext === '1001' ? { md5: ha1('md5'), sha256: ha1('sha256') } : null) },
    bans: { recordFailure: (ip) => (failures.push(ip), null), recordSuccess: () => {} },
    sink: {
      registered: (b: Binding) => events.push(['registered', b.contact]),
      unregistered: (b: Binding, reason) => events.push(['unregistered', b.contact, reason]),
    },
  });
  const parse = (text: string): SipRequest => {
    const r = parseMessage(Buffer.from(text), { transport: 'udp' });
    if (!r.ok || r.message.kind !== 'request') throw new Error('bad test request');
    return r.message;
  };
  const udp: BindingSource = { transport: 'udp', address: '192.0.2.7', port: 5060 };
  /** REGISTER with valid SHA-256 credentials (a challenge first, as a client would). */
  const register = async (r: Omit<RegisterSpec, 'authorization'>, source: BindingSource = udp, password = PASSWORD) => {
    const first = await registrar.register(parse(registerText(r)), source);
    const challenge = first.headers.find(([n, v]) => n === 'WWW-Authenticate' && v.includes('SHA-256'))![1];
    const authorization = authorize(challenge, r.user, password);
    return registrar.register(parse(registerText({ ...r, cseq: r.cseq + 1, authorization })), source);
  };
  return { clock, events, failures, registrar, register, parse, udp };
}

test('a binding expires by the clock; a refresh moves the expiry; the sink hears both', async (t) => {
  const h = harness();
  const res = await h.register({ user: '1001', contacts: ['<sip:1001@192.0.2.7>'], expires: 60, callId: 'a', cseq: 1 });
  t.is(res.status, 200);
  t.deepEqual(h.events, [['registered', 'sip:1001@192.0.2.7']]);
  h.clock.advance(59_000);
  t.is(h.registrar.bindings('1001').length, 1);
  t.is(h.registrar.list()[0]!.expiresAt, 1_700_000_000_000 + h.clock.now() + 1000);
  // Refresh (same Call-ID, higher CSeq): 120 s from now; not reported again (same source).
  t.is((await h.register({ user: '1001', contacts: ['<sip:1001@192.0.2.7>'], expires: 120, callId: 'a', cseq: 3 })).status, 200);
  h.clock.advance(60_000);
  t.is(h.registrar.bindings('1001').length, 1, 'the old timer was cleared');
  t.is(h.events.length, 1);
  h.clock.advance(60_000);
  t.deepEqual(h.registrar.bindings('1001'), []);
  t.deepEqual(h.events.at(-1), ['unregistered', 'sip:1001@192.0.2.7', 'expired']);
  t.is(h.clock.pending, 0);
});

test('bindings over a stream connection are removed when it closes, others stay', async (t) => {
  const h = harness();
  const ws: BindingSource = { transport: 'ws', address: '192.0.2.8', port: 40000, connectionId: 'ws-1' };
  await h.register({ user: '1001', contacts: ['<sip:x@y.invalid;transport=ws>'], callId: 'w', cseq: 1 }, ws);
  await h.register({ user: '1001', contacts: ['<sip:1001@192.0.2.7>'], callId: 'u', cseq: 1 });
  h.registrar.connectionClosed('ws-2');
  t.is(h.registrar.bindings('1001').length, 2);
  h.registrar.connectionClosed('ws-1');
  t.deepEqual(h.registrar.bindings('1001').map((b) => b.contact), ['sip:1001@192.0.2.7']);
  t.deepEqual(h.events.at(-1), ['unregistered', 'sip:x@y.invalid;transport=ws', 'connection-closed']);
  h.registrar.close();
  t.is(h.clock.pending, 0);
});

test('only wrong credentials count as failures of the source address, not missing ones', async (t) => {
  const h = harness();
  const missing = await h.registrar.register(h.parse(registerText({ user: '1001', contacts: ['<sip:1001@192.0.2.7>'], callId: 'f', cseq: 1 })), h.udp);
  t.is(missing.status, 401);
  t.deepEqual(h.failures, []);
  const wrong = await h.register({ user: '1001', contacts: ['<sip:1001@192.0.2.7>'], callId: 'f', cseq: 2 }, h.udp, 'nope');
  t.is(wrong.status, 401);
  t.deepEqual(h.failures, ['192.0.2.7']);
  t.true(challengeFor({ kind: 'response', version: 'SIP/2.0', status: 401, reason: '', body: Buffer.alloc(0), headers: wrong.headers.map(([name, value]) => ({ name, value })) }, 'MD5').length > 0);
  t.deepEqual(h.events, []);
});

test('baresip 1.x (libre aborts on an unknown algorithm) is challenged with MD5 alone; others get SHA-256 then MD5', async (t) => {
  const h = harness();
  const spec = { user: '1001', contacts: ['<sip:1001@192.0.2.7>'], callId: 'q', cseq: 1 };
  const algorithms = (ua: string) => h.registrar.register(h.parse(registerText({ ...spec, headers: [] }).replace('registrar-test/1', ua)), h.udp)
    .then((a) => a.headers.filter(([n]) => n === 'WWW-Authenticate').map(([, v]) => /algorithm=([\w-]+)/.exec(v)![1]));
  t.deepEqual(await algorithms('baresip v1.0.0 (x86_64/linux)'), ['MD5']);
  t.deepEqual(await algorithms('baresip v3.10.0 (x86_64/linux)'), ['SHA-256', 'MD5']);
  t.deepEqual(await algorithms('JsSIP 3.10.0'), ['SHA-256', 'MD5']);
});
