#!/usr/bin/env node
/**
 * Benchmark of the SIP message layer: parse a typical INVITE with an SDP body (as a UDP datagram) in a
 * loop for about two seconds and print messages/s and µs/message; then the same for serialize.
 *
 *   npm run build && node scripts/bench/sip-parse.mjs [seconds]
 *
 * Not a test: the figures depend on the machine. parseMessage validates the fields transactions rely on
 * (Via, From, To, Contact, Call-ID, CSeq, ...), so this is the full per-packet cost of the message layer.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'packages', 'server', 'dist', 'src', 'sip');
if (!existsSync(join(dist, 'parse.js'))) {
  process.stderr.write('sip-parse bench: packages/server is not built; run `npm run build` first\n');
  process.exit(2);
}
const { parseMessage } = await import(pathToFileURL(join(dist, 'parse.js')).href);
const { serializeMessage } = await import(pathToFileURL(join(dist, 'message.js')).href);

const sdp = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 198.51.100.10',
  's=-',
  'c=IN IP4 198.51.100.10',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join('\r\n');

const invite = Buffer.from(
  [
    'INVITE sip:+15551234567@hotline.example.com SIP/2.0',
    'Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK-524287-1---2e1a8f7c0d7b3c2e;rport',
    'Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK83f1a2b;received=203.0.113.5',
    'Max-Forwards: 69',
    'Record-Route: <sip:203.0.113.5;lr;ftag=as4f2b1c9d>',
    'Contact: <sip:carrier@198.51.100.10:5060;transport=udp>',
    'To: <sip:+15551234567@hotline.example.com>',
    'From: "Caller Name" <sip:+15557654321@carrier.example.net>;tag=as4f2b1c9d',
    'Call-ID: 4f8a6c2e1b3d5f7a9c0e2b4d6f8a1c3e@198.51.100.10',
    'CSeq: 102 INVITE',
    'User-Agent: CarrierSBC/4.2',
    'Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE',
    'Supported: replaces, timer',
    'Session-Expires: 1800;refresher=uac',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n'),
);

const first = parseMessage(invite, { transport: 'udp' });
if (!first.ok) throw new Error(`bench message does not parse: ${first.error.reason}`);

function run(label, seconds, fn) {
  for (let i = 0; i < 2000; i++) fn(); // warm up
  let n = 0;
  const started = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
    elapsed = process.hrtime.bigint() - started;
  }
  const secs = Number(elapsed) / 1e9;
  const perSec = n / secs;
  process.stdout.write(`${label.padEnd(10)} ${Math.round(perSec).toLocaleString('en-US').padStart(10)} messages/s  ${(1e6 / perSec).toFixed(2).padStart(7)} µs/message  (${n} in ${secs.toFixed(2)} s)\n`);
}

const seconds = Number(process.argv[2] ?? 2);
process.stdout.write(`SIP message layer, INVITE with SDP: ${invite.length} bytes, ${first.message.headers.length} headers, body ${first.message.body.length} bytes (node ${process.version})\n`);
run('parse', seconds, () => parseMessage(invite, { transport: 'udp' }));
run('serialize', Math.min(seconds, 1), () => serializeMessage(first.message));

// Pathological 60 KB inputs (the same shapes as the fuzz test): each should take a few ms; a
// super-linear path shows up here as hundreds of ms or more.
const head = 'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n';
const n = 60_000;
const pathological = {
  'tel digits': `${head}To: <tel:+${'1'.repeat(n)}x>\r\n\r\n`,
  'host labels': `${head}To: <sip:${'a.'.repeat(n / 2)}>\r\n\r\n`,
  'via params': `${head.replace('branch=z9hG4bK1', ';p'.repeat(n / 2).slice(1))}To: <sip:b@c>\r\n\r\n`,
  'contact list': `${head}To: <sip:b@c>\r\nContact: ${'<sip:a@b>,'.repeat(n / 10)}<sip:a@b>\r\n\r\n`,
  quotes: `${head}To: ${'"'.repeat(n)} <sip:b@c>\r\n\r\n`,
  'angle brackets': `${head}To: <sip:b@c>\r\nRoute: ${'<'.repeat(n)}\r\n\r\n`,
  'header lines': `${head}To: <sip:b@c>\r\n${'a:b\r\n'.repeat(n / 5)}\r\n`,
  'folded lines': `${head}To: <sip:b@c>\r\nX: a\r\n${' b\r\n'.repeat(n / 4)}\r\n`,
  'ipv6 colons': `${head}To: <sip:[${':'.repeat(n)}]>\r\n\r\n`,
  'percent escapes': `${head}To: <sip:${'%4'.repeat(n / 3)}@b>\r\n\r\n`,
};
process.stdout.write('\npathological 60 KB inputs (ms per parse, best of 3):\n');
for (const [name, text] of Object.entries(pathological)) {
  const buf = Buffer.from(text);
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    parseMessage(buf, { transport: 'udp', maxSize: 1 << 20 });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  process.stdout.write(`  ${name.padEnd(16)} ${best.toFixed(2).padStart(8)} ms\n`);
}
