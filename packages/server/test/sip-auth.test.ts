/**
 * SIP digest authentication: header parsing/formatting (auth-header.ts), the RFC 7616 §3.9.1 known-answer
 * vectors, and DigestAuthenticator round trips under a FakeClock with the client side computed
 * independently here (node:crypto only, not the server's helpers).
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { ha1 } from '../src/crypto/digest.js';
import {
  formatChallenge, formatCredentials, parseChallenge, parseCredentials, type DigestChallenge,
} from '../src/sip/auth-header.js';
import { sameRequestUri } from '../src/sip/auth-uri.js';
import { FakeClock } from '../src/sip/clock.js';
import { DigestAuthenticator, digestResponse, type AuthResult, type StoredHa1 } from '../src/sip/digest-auth.js';
import type { SipRequest } from '../src/sip/message.js';
import { prng } from './prng.js';

// ---- RFC 7616 §3.9.1 ----

const RFC = {
  username: 'Mufasa', realm: 'http-auth@example.org', password: 'Circle of Life',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: '00000001', qop: 'auth', uri: '/dir/index.html', method: 'GET',
  md5: '8ca523f5e9506fed4657c9700eebdbec',
  sha256: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
};

test('RFC 7616 §3.9.1 known answers: MD5 and SHA-256 from HA1', (t) => {
  const p = { method: RFC.method, uri: RFC.uri, nonce: RFC.nonce, nc: RFC.nc, cnonce: RFC.cnonce, qop: RFC.qop };
  t.is(digestResponse('MD5', ha1('md5', RFC.username, RFC.realm, RFC.password), p), RFC.md5);
  t.is(digestResponse('SHA-256', ha1('sha256', RFC.username, RFC.realm, RFC.password), p), RFC.sha256);
});

test('RFC 7616 §3.9.1 Authorization header parses', (t) => {
  const value = `Digest username="Mufasa",
       realm="http-auth@example.org",
       uri="/dir/index.html",
       algorithm=SHA-256,
       nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
       nc=00000001,
       cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
       qop=auth,
       response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
       opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`.replace(/\r?\n\s*/g, ' ');
  const r = parseCredentials(value);
  if (!r.ok) return t.fail(r.error);
  t.like(r.value, {
    username: RFC.username, realm: RFC.realm, uri: RFC.uri, algorithm: 'SHA-256', nonce: RFC.nonce,
    nc: RFC.nc, cnonce: RFC.cnonce, qop: 'auth', response: RFC.sha256, opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  });
});

// ---- header parser ----

test('challenge: quoted qop list, stale, case-insensitive names, whitespace; format round trip', (t) => {
  const r = parseChallenge('digest  REALM = "a\\"b" ,NONCE="n1",  Qop="auth, auth-int",stale=TRUE,algorithm=sha-256,opaque="o"');
  if (!r.ok) return t.fail(r.error);
  t.deepEqual(r.value, { realm: 'a"b', nonce: 'n1', qop: ['auth', 'auth-int'], stale: true, algorithm: 'SHA-256', opaque: 'o' });
  const again = parseChallenge(formatChallenge(r.value));
  t.deepEqual(again.ok && again.value, r.value);
});

test('credentials: quoted tokens accepted, defaults, format round trip', (t) => {
  const r = parseCredentials('Digest username="bob", realm="r", nonce="n", uri="sip:r", response="' + 'A'.repeat(32)
    + '", qop="auth", nc=0000000A, cnonce="c", algorithm="md5"');
  if (!r.ok) return t.fail(r.error);
  t.like(r.value, { algorithm: 'MD5', qop: 'auth', nc: '0000000a', response: 'a'.repeat(32) });
  const noAlg = parseCredentials('Digest username="bob", realm="r", nonce="n", uri="sip:r", response="' + 'b'.repeat(32) + '"');
  t.is(noAlg.ok && noAlg.value.algorithm, 'MD5');
  const again = parseCredentials(formatCredentials(r.value));
  t.deepEqual(again.ok && again.value, r.value);
});

test('credentials: -sess variants parse (and are refused later by the verifier)', (t) => {
  const r = parseCredentials(`Digest username="u", realm="r", nonce="n", uri="sip:r", response="${'0'.repeat(64)}", algorithm=SHA-256-sess, qop=auth, nc=00000001, cnonce="c"`);
  t.is(r.ok && r.value.algorithm, 'SHA-256-SESS');
});

const BAD_CREDENTIALS: Array<[string, string]> = [
  ['Basic dXNlcjpwYXNz', 'scheme'],
  ['Digest', 'no params'],
  ['Digestusername="u"', 'no space after scheme'],
  ['Digest username="u", username="v", realm="r", nonce="n", uri="sip:r", response="' + '0'.repeat(32) + '"', 'duplicate'],
  ['Digest USERNAME="u", Username="v", realm="r", nonce="n", uri="sip:r", response="' + '0'.repeat(32) + '"', 'duplicate, other case'],
  ['Digest realm="r", nonce="n", uri="sip:r", response="' + '0'.repeat(32) + '"', 'no username'],
  ['Digest username="u", nonce="n", uri="sip:r", response="' + '0'.repeat(32) + '"', 'no realm'],
  ['Digest username="u", realm="r", nonce="n", uri="sip:r", response="1234"', 'short response'],
  ['Digest username="u", realm="r", nonce="n", uri="sip:r", response="' + 'g'.repeat(32) + '"', 'non-hex response'],
  ['Digest username="u", realm="r", nonce="n", uri="sip:r", response="' + '0'.repeat(32) + '", qop=auth, nc=1, cnonce="c"', 'short nc'],
  ['Digest username="u", realm="r", nonce="n", uri="sip:r", response="' + '0'.repeat(32) + '", qop=auth, nc=00000001', 'no cnonce'],
  ['Digest username="u", realm="r", nonce="n", uri="sip:r", response="' + '0'.repeat(32) + '", nc=00000001, cnonce="c"', 'nc without qop'],
  ['Digest username="u, realm="r"', 'unterminated quote'],
  ['Digest username="u" realm="r"', 'missing comma'],
  ['Digest username="u",, realm="r"', 'empty element'],
  ['Digest username', 'no value'],
  ['Digest username="u", userhash=true, realm="r", nonce="n", uri="sip:r", response="' + '0'.repeat(32) + '"', 'userhash'],
  ['Digest username="' + 'x'.repeat(5000) + '"', 'oversized'],
];

for (const [value, why] of BAD_CREDENTIALS) {
  test(`credentials rejected: ${why}`, (t) => {
    const r = parseCredentials(value);
    t.false(r.ok);
    if (!r.ok) t.true(r.error.length > 0 && r.error.length < 200);
  });
}

test('challenge rejected: missing nonce, bad stale, empty qop', (t) => {
  t.false(parseChallenge('Digest realm="r"').ok);
  t.false(parseChallenge('Digest realm="r", nonce="n", stale=maybe').ok);
  t.false(parseChallenge('Digest realm="r", nonce="n", qop=""').ok);
  t.false(parseChallenge('Digest realm="r", nonce="n", realm="x"').ok);
});

const FUZZ_SEEDS = [
  `Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, nonce="${RFC.nonce}", nc=00000001, cnonce="${RFC.cnonce}", qop=auth, response="${RFC.sha256}", opaque="x"`,
  'Digest realm="r", nonce="n", opaque="o", stale=true, algorithm=MD5, qop="auth,auth-int"',
];
const FUZZ_CHARS = ['"', '\\', ',', '=', ' ', '\t', '\0', '\r\n', 'é', '\uFFFF', '\uD800', 'Digest ', 'a', '0'];

function mutate(rand: () => number, s: string): string {
  const pick = (n: number) => Math.floor(rand() * n);
  for (let k = 1 + pick(4); k > 0; k--) {
    const at = pick(s.length + 1);
    switch (pick(5)) {
      case 0: s = s.slice(0, at); break;
      case 1: s = s.slice(0, at) + FUZZ_CHARS[pick(FUZZ_CHARS.length)] + s.slice(at); break;
      case 2: s = s.slice(0, at) + s.slice(at + 1 + pick(8)); break;
      case 3: s = s.slice(0, at) + s.slice(pick(s.length)); break;
      default: s = Array.from({ length: pick(40) }, () => String.fromCharCode(pick(256))).join('');
    }
  }
  return s;
}

test('fuzz: the header parsers never throw (5000 seeded mutations)', (t) => {
  const rand = prng(0x5eed_7616);
  let accepted = 0;
  for (let i = 0; i < 5000; i++) {
    const input = mutate(rand, FUZZ_SEEDS[i % FUZZ_SEEDS.length]);
    t.notThrows(() => {
      if (parseCredentials(input).ok) accepted++;
      if (parseChallenge(input).ok) accepted++;
    }, JSON.stringify(input));
  }
  t.true(accepted > 0);
});

// ---- DigestAuthenticator ----

const REALM = 'hotline.test';
const PASSWORD = 'correct horse battery staple';
const USERS = new Map<string, StoredHa1>([
  ['1001', { md5: ha1('md5', '1001', REALM, PASSWORD), sha256: ha1('sha256', '1001', REALM, PASSWORD) }],
  ['md5only', { md5: ha1('md5', 'md5only', REALM, PASSWORD), sha256: null }],
]);
const lookup = (u: string): Promise<StoredHa1 | null> => Promise.resolve(USERS.get(u) ?? null);

function register(uri = 'sip:hotline.test', headers: Array<[string, string]> = []): SipRequest {
  return { kind: 'request', method: 'REGISTER', uri, version: 'SIP/2.0', headers: headers.map(([name, value]) => ({ name, value })), body: Buffer.alloc(0) };
}

/** The client side, independently: HA1 from the password, RFC 7616 §3.4.1 with node:crypto. */
function answer(challenge: string, o: {
  user?: string; password?: string; uri?: string; method?: string; nc?: number; realm?: string; nonce?: string; cnonce?: string;
} = {}): string {
  const c = parseChallenge(challenge);
  if (!c.ok) throw new Error(c.error);
  const ch: DigestChallenge = c.value;
  const hash = ch.algorithm === 'SHA-256' ? 'sha256' : 'md5';
  const H = (s: string) => createHash(hash).update(s).digest('hex');
  const user = o.user ?? '1001';
  const realm = o.realm ?? ch.realm;
  const uri = o.uri ?? 'sip:hotline.test';
  const nonce = o.nonce ?? ch.nonce;
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = o.cnonce ?? 'c0ffee';
  const response = H(`${H(`${user}:${realm}:${o.password ?? PASSWORD}`)}:${nonce}:${nc}:${cnonce}:auth:${H(`${o.method ?? 'REGISTER'}:${uri}`)}`);
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", `
    + `algorithm=${ch.algorithm ?? 'MD5'}, cnonce="${cnonce}", opaque="${ch.opaque ?? ''}", qop=auth, nc=${nc}`;
}

function setup(opts: { maxNonces?: number } = {}) {
  const clock = new FakeClock(1_000_000);
  const auth = new DigestAuthenticator({ clock, ...opts });
  const verify = (req: SipRequest, realm = REALM) => auth.verify(req, { realm, lookup });
  return { clock, auth, verify };
}

function reason(r: AuthResult): string {
  return r.ok ? 'ok' : r.reason;
}

test('challenge: SHA-256 first then MD5, qop="auth", opaque, distinct nonces, stale only when asked', (t) => {
  const { auth } = setup();
  const values = auth.challenge({ realm: REALM });
  const parsed = values.map((v) => parseChallenge(v));
  t.deepEqual(parsed.map((p) => p.ok && p.value.algorithm), ['SHA-256', 'MD5']);
  for (const p of parsed) {
    if (!p.ok) return t.fail(p.error);
    t.deepEqual(p.value.qop, ['auth']);
    t.is(p.value.realm, REALM);
    t.truthy(p.value.opaque);
    t.is(p.value.stale, undefined);
  }
  t.not(parsed[0].ok && parsed[0].value.nonce, parsed[1].ok && parsed[1].value.nonce);
  const stale = parseChallenge(auth.challenge({ realm: REALM, stale: true })[0]);
  t.is(stale.ok && stale.value.stale, true);
});

for (const [index, algorithm] of [[0, 'SHA-256'], [1, 'MD5']] as const) {
  test(`round trip ${algorithm}: 401 without credentials, then accepted`, async (t) => {
    const { verify } = setup();
    const first = await verify(register());
    t.is(reason(first), 'missing');
    if (first.ok) return;
    const ok = await verify(register('sip:hotline.test', [['Authorization', answer(first.challenge[index])]]));
    t.deepEqual(ok, { ok: true, username: '1001' });
  });
}

test('Proxy-Authorization for INVITE (407) with method and uri of the request', async (t) => {
  const { auth } = setup();
  const ch = auth.challenge({ realm: REALM })[0];
  const uri = 'sip:2000@hotline.test';
  const req: SipRequest = { ...register(uri), method: 'INVITE' };
  req.headers.push({ name: 'Proxy-Authorization', value: answer(ch, { uri, method: 'INVITE' }) });
  t.deepEqual(await auth.verify(req, { realm: REALM, lookup, header: 'Proxy-Authorization' }), { ok: true, username: '1001' });
  t.is(reason(await auth.verify(req, { realm: REALM, lookup })), 'missing');
  const wrongMethod = await auth.verify(req, { realm: REALM, lookup, header: 'Proxy-Authorization', method: 'BYE' });
  t.is(reason(wrongMethod), 'bad-response');
});

test('wrong password, unknown user, missing HA1 for the algorithm', async (t) => {
  const { auth, verify } = setup();
  const [sha, md5] = auth.challenge({ realm: REALM });
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(sha, { password: 'guess' })]]))), 'bad-response');
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(sha, { user: 'nobody' })]]))), 'unknown-user');
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(sha, { user: 'md5only' })]]))), 'algorithm');
  t.true((await verify(register('sip:hotline.test', [['Authorization', answer(md5, { user: 'md5only' })]]))).ok);
});

test('failure results carry a fresh challenge for the 401/407', async (t) => {
  const { verify } = setup();
  const r = await verify(register('sip:hotline.test', [['Authorization', 'Digest garbage']]));
  t.is(reason(r), 'malformed');
  if (r.ok) return;
  t.is(r.challenge.length, 2);
  t.true(r.challenge.every((c) => parseChallenge(c).ok));
});

test('tampered nonce is refused (not stale)', async (t) => {
  const { auth, verify } = setup();
  const c = parseChallenge(auth.challenge({ realm: REALM })[0]);
  if (!c.ok) return t.fail();
  const n = c.value.nonce;
  const flipped = n.slice(0, 5) + (n[5] === 'A' ? 'B' : 'A') + n.slice(6);
  const challenge = formatChallenge({ ...c.value, nonce: flipped });
  const r = await verify(register('sip:hotline.test', [['Authorization', answer(challenge)]]));
  t.is(reason(r), 'bad-response');
  if (!r.ok) t.false(r.challenge[0].includes('stale=true'));
  const forged = formatChallenge({ ...c.value, nonce: 'bm90LW91ci1ub25jZQ' });
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(forged)]]))), 'bad-response');
});

test('expired nonce -> stale with stale=true (only when the digest is right)', async (t) => {
  const { auth, clock, verify } = setup();
  const ch = auth.challenge({ realm: REALM })[0];
  clock.advance(299_000);
  t.true((await verify(register('sip:hotline.test', [['Authorization', answer(ch)]]))).ok);
  clock.advance(2_000);
  const r = await verify(register('sip:hotline.test', [['Authorization', answer(ch, { nc: 2 })]]));
  t.is(reason(r), 'stale');
  if (r.ok) return;
  const fresh = parseChallenge(r.challenge[0]);
  t.is(fresh.ok && fresh.value.stale, true);
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(ch, { nc: 3, password: 'x' })]]))), 'bad-response');
  t.true((await verify(register('sip:hotline.test', [['Authorization', answer(r.challenge[0])]]))).ok);
});

test('nonce lifetime is configurable', async (t) => {
  const clock = new FakeClock();
  const auth = new DigestAuthenticator({ clock, nonceLifetimeMs: 10_000 });
  const ch = auth.challenge({ realm: REALM })[1];
  clock.advance(10_001);
  t.is(reason(await auth.verify(register('sip:hotline.test', [['Authorization', answer(ch)]]), { realm: REALM, lookup })), 'stale');
});

test('nc replay: same nc -> replay, lower -> replay, higher -> ok', async (t) => {
  const { auth, verify } = setup();
  const ch = auth.challenge({ realm: REALM })[0];
  const send = (nc: number) => verify(register('sip:hotline.test', [['Authorization', answer(ch, { nc })]]));
  t.is(reason(await send(1)), 'ok');
  t.is(reason(await send(1)), 'replay');
  t.is(reason(await send(5)), 'ok');
  t.is(reason(await send(3)), 'replay');
  t.is(reason(await send(5)), 'replay');
  t.is(reason(await send(6)), 'ok');
  t.is(auth.trackedNonces, 1);
});

test('a failed attempt does not burn the nonce count of a legitimate client', async (t) => {
  const { auth, verify } = setup();
  const ch = auth.challenge({ realm: REALM })[0];
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(ch, { nc: 0xffff, password: 'x' })]]))), 'bad-response');
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(ch, { nc: 1 })]]))), 'ok');
});

test('nonce-count memory is bounded; an evicted nonce is stale, never replayable', async (t) => {
  const { auth, clock, verify } = setup({ maxNonces: 2 });
  const chs: string[] = [];
  for (let i = 0; i < 3; i++) {
    chs.push(auth.challenge({ realm: REALM })[0]);
    clock.advance(1);
  }
  for (const ch of chs) t.true((await verify(register('sip:hotline.test', [['Authorization', answer(ch)]]))).ok);
  t.is(auth.trackedNonces, 2);
  const replay = await verify(register('sip:hotline.test', [['Authorization', answer(chs[0])]]));
  t.is(reason(replay), 'stale');
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(chs[0], { nc: 9 })]]))), 'stale');
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(chs[2], { nc: 2 })]]))), 'ok');
});

test('wrong realm, several credentials (one per realm)', async (t) => {
  const { auth, verify } = setup();
  const ch = auth.challenge({ realm: REALM })[0];
  const other = answer(ch, { realm: 'elsewhere.test' });
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', other]]))), 'realm');
  t.true((await verify(register('sip:hotline.test', [['Authorization', other], ['Authorization', answer(ch)]]))).ok);
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(ch, { nc: 2 })]]), 'other.realm')), 'realm');
});

test('wrong uri; equivalent uri by RFC 3261 §19.1.4 accepted', async (t) => {
  const { auth, verify } = setup();
  const ch = auth.challenge({ realm: REALM })[0];
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(ch, { uri: 'sip:evil.test' })]]))), 'uri');
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', answer(ch, { uri: 'sip:HOTLINE.test' })]]))), 'ok');
  t.true(sameRequestUri('sip:%61lice@h.test;Transport=TCP', 'sip:alice@H.TEST;transport=tcp'));
  t.false(sameRequestUri('sip:alice@h.test', 'sip:alice@h.test;transport=tcp'));
  t.false(sameRequestUri('sip:alice@h.test', 'sip:alice@h.test:5060'));
  t.false(sameRequestUri('sip:Alice@h.test', 'sip:alice@h.test'));
  t.false(sameRequestUri('tel:+123', 'tel:+1-2-3'));
});

test('algorithm not offered (-sess, SHA-512-256, unknown) and qop other than auth are refused', async (t) => {
  const { auth, verify } = setup();
  const ch = answer(auth.challenge({ realm: REALM })[0]);
  for (const alg of ['SHA-256-sess', 'MD5-sess', 'SHA-512-256', 'ROT13']) {
    const value = ch.replace('algorithm=SHA-256', `algorithm=${alg}`);
    t.is(reason(await verify(register('sip:hotline.test', [['Authorization', value]]))), 'algorithm', alg);
  }
  const authInt = ch.replace('qop=auth', 'qop=auth-int');
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', authInt]]))), 'malformed');
  const noQop = ch.replace(/, qop=auth, nc=\w+/, '').replace(/, cnonce="[^"]*"/, '');
  t.true(parseCredentials(noQop).ok);
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', noQop]]))), 'malformed');
  const badOpaque = ch.replace(/opaque="[^"]*"/, 'opaque="other"');
  t.is(reason(await verify(register('sip:hotline.test', [['Authorization', badOpaque]]))), 'malformed');
});

test('only MD5 offered when configured so', async (t) => {
  const clock = new FakeClock();
  const auth = new DigestAuthenticator({ clock, algorithms: ['MD5'] });
  const ch = auth.challenge({ realm: REALM });
  t.is(ch.length, 1);
  const sha = answer(ch[0]).replace('algorithm=MD5', 'algorithm=SHA-256');
  t.is(reason(await auth.verify(register('sip:hotline.test', [['Authorization', sha]]), { realm: REALM, lookup })), 'algorithm');
});

test('nonces are bound to the secret: another authenticator refuses them', async (t) => {
  const clock = new FakeClock();
  const a = new DigestAuthenticator({ clock, secret: Buffer.alloc(32, 1) });
  const b = new DigestAuthenticator({ clock, secret: Buffer.alloc(32, 2) });
  const same = new DigestAuthenticator({ clock, secret: Buffer.alloc(32, 1) });
  const value = answer(a.challenge({ realm: REALM })[0]);
  t.is(reason(await b.verify(register('sip:hotline.test', [['Authorization', value]]), { realm: REALM, lookup })), 'malformed', 'opaque differs');
  const noOpaque = value.replace(/, opaque="[^"]*"/, '');
  t.is(reason(await b.verify(register('sip:hotline.test', [['Authorization', noOpaque]]), { realm: REALM, lookup })), 'bad-response');
  t.is(reason(await same.verify(register('sip:hotline.test', [['Authorization', value]]), { realm: REALM, lookup })), 'ok');
});

test('fuzz: verify never throws on mutated credentials (1000 seeded)', async (t) => {
  const rand = prng(0xa11ce);
  const { auth, verify } = setup();
  const base = answer(auth.challenge({ realm: REALM })[0]);
  for (let i = 0; i < 1000; i++) {
    const value = mutate(rand, base);
    const r = await verify(register('sip:hotline.test', [['Authorization', value]]));
    t.true(typeof r.ok === 'boolean');
  }
});
