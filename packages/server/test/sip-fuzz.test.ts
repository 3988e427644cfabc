/**
 * Robustness of the SIP parser: no input may make parseMessage or the stream framer throw, and every
 * message they accept must serialize and parse back to the same message. Deterministic: a seeded PRNG
 * mutates the RFC 4475/5118 torture corpus (when present, see sip-torture.test.ts) and built-in seeds
 * with truncations, byte flips, insertions of syntax characters, deletions, duplications and splices,
 * and adds purely random buffers.
 */
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getContacts, getCSeq, getFrom, getTo, getVias } from '../src/sip/fields.js';
import { StreamFramer } from '../src/sip/framer.js';
import { getHeaderValues, serializeMessage, type SipMessage } from '../src/sip/message.js';
import { parseMessage, type ParseResult } from '../src/sip/parse.js';
import { prng } from './prng.js';

const ITERATIONS = 20_000;
const SEED = 0x5eed_4475;

const SEEDS = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r\n' +
    'Max-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\nFrom: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774\r\n' +
    'Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\nCSeq: 314159 INVITE\r\nContact: <sip:alice@[2001:db8::1]:5060;transport=udp>\r\n' +
    'Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\nContent-Type: application/sdp\r\nContent-Length: 30\r\n\r\n' +
    'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n',
  'SIP/2.0 200 OK\r\nv: SIP/2.0/TCP h.example.com;branch=z9hG4bK1;received=192.0.2.1\r\nf: <sip:a@example.com>;tag=1\r\n' +
    't: <sip:b@example.com>;tag=2\r\ni: x@y\r\nCSeq: 1 REGISTER\r\nm: <sip:a@192.0.2.1>;expires=60, "B" <sips:b@h>;q=0.1\r\nl: 0\r\n\r\n',
];

function tortureFiles(): Buffer[] {
  const env = process.env['HOTLINE_SIP_TORTURE_DIR'];
  const dir = env ? env.replace(/\/?$/, '/') : fileURLToPath(new URL('../../../../../shared/sip-torture/', import.meta.url));
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.sip')).sort().map((f) => readFileSync(`${dir}${f}`));
}

const SPECIAL = Buffer.from('\r\n \t:;,<>"\\%[]@=?/0\x00\xff\xc3');

function mutate(rand: () => number, corpus: Buffer[]): Buffer {
  const pick = (n: number) => Math.floor(rand() * n);
  const base = Buffer.from(corpus[pick(corpus.length)]!);
  const op = pick(8);
  if (op === 0) return base.subarray(0, pick(base.length + 1));
  if (op === 1 || op === 2) {
    for (let k = 1 + pick(8); k > 0; k--) base[pick(base.length)] = op === 1 ? pick(256) : SPECIAL[pick(SPECIAL.length)]!;
    return base;
  }
  const at = pick(base.length + 1);
  if (op === 3) return Buffer.concat([base.subarray(0, at), SPECIAL.subarray(pick(SPECIAL.length)), base.subarray(at)]);
  if (op === 4) return Buffer.concat([base.subarray(0, at), base.subarray(at + 1 + pick(40))]);
  if (op === 5) return Buffer.concat([base.subarray(0, at), base.subarray(pick(at + 1), at), base.subarray(at)]);
  if (op === 6) return Buffer.concat([base.subarray(0, at), corpus[pick(corpus.length)]!.subarray(pick(200))]);
  const random = Buffer.alloc(pick(600));
  for (let k = 0; k < random.length; k++) random[k] = rand() < 0.3 ? SPECIAL[pick(SPECIAL.length)]! : pick(256);
  return rand() < 0.5 ? random : Buffer.concat([Buffer.from('INVITE sip:a@b SIP/2.0\r\n'), random]);
}

/** Everything a caller may do with an accepted message must work. */
function exercise(m: SipMessage): string | undefined {
  getVias(m);
  getFrom(m);
  getTo(m);
  getContacts(m);
  getCSeq(m);
  for (const h of m.headers) getHeaderValues(m, h.name);
  const again = parseMessage(serializeMessage(m), { transport: 'udp' });
  if (!again.ok) return `re-parse failed: ${again.error.reason}`;
  const strip = (x: SipMessage) => JSON.stringify({ ...x, headers: x.headers.filter((h) => h.name !== 'Content-Length') });
  return strip(again.message) === strip(m) ? undefined : 'round trip changed the message';
}

function checkResult(r: ParseResult): string | undefined {
  if (r.ok) return exercise(r.message);
  if (/Unparseable/.test(r.error.reason)) return `parser threw: ${r.error.reason}`;
  if (r.error.code < 400 || r.error.code > 599) return `bad error code ${r.error.code}`;
  return undefined;
}

test(`fuzz: ${ITERATIONS} mutated messages never throw, accepted ones round-trip (seed ${SEED.toString(16)})`, (t) => {
  const corpus = [...tortureFiles(), ...SEEDS.map((s) => Buffer.from(s, 'utf8'))];
  if (corpus.length === SEEDS.length) t.log('torture corpus not found: fuzzing the built-in seeds only');
  const rand = prng(SEED);
  const stats = { ok: 0, error: 0, framed: 0 };
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(rand, corpus);
    const maxSize = rand() < 0.1 ? 64 + Math.floor(rand() * 1024) : undefined;
    for (const transport of ['udp', 'stream'] as const) {
      let r: ParseResult;
      try {
        r = parseMessage(input, { transport, ...(maxSize ? { maxSize } : {}) });
      } catch (err) {
        return void t.fail(`iteration ${i}: parseMessage threw ${String(err)} for ${JSON.stringify(input.toString('latin1'))}`);
      }
      const problem = checkResult(r);
      if (problem) return void t.fail(`iteration ${i} (${transport}): ${problem} for ${JSON.stringify(input.toString('latin1'))}`);
      stats[r.ok ? 'ok' : 'error']++;
    }
    if (i % 4 === 0) {
      const framer = new StreamFramer(maxSize ? { maxSize } : {});
      for (let at = 0; at < input.length;) {
        const size = 1 + Math.floor(rand() * 64);
        for (const e of framer.feed(input.subarray(at, at + size))) {
          if (e.type === 'error' && /Unparseable/.test(e.error.reason)) return void t.fail(`iteration ${i}: framer threw`);
          if (e.type === 'message') stats.framed++;
        }
        at += size;
      }
    }
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.log(`${ITERATIONS} inputs x 2 transports in ${ms.toFixed(0)} ms: ${stats.ok} parsed, ${stats.error} rejected; framer produced ${stats.framed} messages`);
  t.true(stats.ok > 0 && stats.error > 0, 'the mutations exercise both outcomes');
});

test('fuzz: random chunking of valid streams yields exactly the original messages', (t) => {
  const rand = prng(SEED + 1);
  const corpus = tortureFiles().filter((b) => {
    const r = parseMessage(b, { transport: 'stream' });
    return r.ok && r.rest === undefined;
  });
  const messages = [...corpus, ...SEEDS.map((s) => Buffer.from(s))];
  for (let round = 0; round < 50; round++) {
    const chosen = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => messages[Math.floor(rand() * messages.length)]!);
    const stream = Buffer.concat(chosen.flatMap((m) => (rand() < 0.3 ? [Buffer.from('\r\n\r\n'), m] : [m])));
    const framer = new StreamFramer();
    const got: SipMessage[] = [];
    for (let at = 0; at < stream.length;) {
      const size = 1 + Math.floor(rand() * 300);
      for (const e of framer.feed(stream.subarray(at, at + size))) {
        if (e.type === 'message') got.push(e.message);
        else if (e.type === 'error') return void t.fail(`round ${round}: ${e.error.reason}`);
      }
      at += size;
    }
    const expected = chosen.map((m) => (parseMessage(m, { transport: 'stream' }) as { message: SipMessage }).message);
    t.deepEqual(got, expected, `round ${round}`);
  }
});

// Their timings (super-linear paths) are measured by scripts/bench/sip-parse.mjs, not asserted here.
test('pathological 60 KB inputs are rejected or parsed, never crash', (t) => {
  const head = 'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n';
  const n = 60_000;
  const cases: Record<string, string> = {
    'tel digits': `${head}To: <tel:+${'1'.repeat(n)}x>\r\n\r\n`,
    'host labels': `${head}To: <sip:${'a.'.repeat(n / 2)}>\r\n\r\n`,
    'via params': `${head.replace('branch=z9hG4bK1', ';p'.repeat(n / 2).slice(1))}To: <sip:b@c>\r\n\r\n`,
    'contact list': `${head}To: <sip:b@c>\r\nContact: ${'<sip:a@b>,'.repeat(n / 10)}<sip:a@b>\r\n\r\n`,
    quotes: `${head}To: ${'"'.repeat(n)} <sip:b@c>\r\n\r\n`,
    'open quote': `${head}To: "${'\\"'.repeat(n / 2)}\r\n\r\n`,
    'angle brackets': `${head}To: <sip:b@c>\r\nRoute: ${'<'.repeat(n)}\r\n\r\n`,
    'header lines': `${head}To: <sip:b@c>\r\n${'a:b\r\n'.repeat(n / 5)}\r\n`,
    'folded lines': `${head}To: <sip:b@c>\r\nX: a\r\n${' b\r\n'.repeat(n / 4)}\r\n`,
    'request line spaces': `INVITE ${' '.repeat(n)}sip:a@b SIP/2.0\r\n\r\n`,
    'cseq spaces': head.replace('CSeq: 1 INVITE', `CSeq: 1${' '.repeat(n)}x`) + 'To: <sip:b@c>\r\n\r\n',
    'ipv6 colons': `${head}To: <sip:[${':'.repeat(n)}]>\r\n\r\n`,
    'percent escapes': `${head}To: <sip:${'%4'.repeat(n / 3)}@b>\r\n\r\n`,
  };
  for (const [name, text] of Object.entries(cases)) {
    const buf = Buffer.from(text);
    const r = parseMessage(buf, { transport: 'udp', maxSize: 1 << 20 });
    t.false(!r.ok && /Unparseable/.test(r.error.reason), name);
  }
});
