/**
 * Stream framing (RFC 3261 §18.3; keepalives RFC 5626 §4.4.1): StreamFramer over chunks of any size.
 */
import test from 'ava';
import { type FramerEvent, StreamFramer } from '../src/sip/framer.js';
import type { SipRequest } from '../src/sip/message.js';

const HEAD = [
  'Via: SIP/2.0/TCP pc33.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: <sip:bob@example.com>',
  'From: <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
].join('\r\n');

function request(method: string, body = '', cseq = 1): Buffer {
  return Buffer.from(`${method} sip:bob@example.com SIP/2.0\r\n${HEAD}\r\nCSeq: ${cseq} ${method}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function feedAll(framer: StreamFramer, data: Buffer, chunk: number): FramerEvent[] {
  const events: FramerEvent[] = [];
  for (let at = 0; at < data.length; at += chunk) events.push(...framer.feed(data.subarray(at, at + chunk)));
  return events;
}

const summary = (events: FramerEvent[]) =>
  events.map((e) => (e.type === 'message' ? `${(e.message as SipRequest).method}:${e.message.body.toString()}` : e.type === 'error' ? `error ${e.error.code}${e.fatal ? ' fatal' : ''}` : e.type));

test('messages split across chunks of every size come out whole and in order', (t) => {
  const data = Buffer.concat([request('INVITE', 'v=0\r\n'), request('ACK'), request('BYE', 'x', 2)]);
  for (const size of [1, 2, 3, 7, 64, 1000, data.length]) {
    const framer = new StreamFramer();
    t.deepEqual(summary(feedAll(framer, data, size)), ['INVITE:v=0\r\n', 'ACK:', 'BYE:x'], `chunk ${size}`);
    t.is(framer.buffered, 0);
  }
});

test('CRLFCRLF is a ping, a lone CRLF a pong, between messages (RFC 5626 §4.4.1)', (t) => {
  const framer = new StreamFramer();
  t.deepEqual(summary(framer.feed(Buffer.from('\r\n\r\n'))), ['ping']);
  t.deepEqual(summary(framer.feed(Buffer.from('\r\n'))), [], 'could still become a ping');
  t.deepEqual(summary(framer.feed(Buffer.concat([Buffer.from('\r\n'), request('OPTIONS')]))), ['ping', 'OPTIONS:']);
  t.deepEqual(summary(framer.feed(Buffer.concat([Buffer.from('\r\n'), request('OPTIONS')]))), ['pong', 'OPTIONS:']);
  t.deepEqual(summary(feedAll(new StreamFramer(), Buffer.from('\r\n\r\n\r\n\r\n'), 1)), ['ping', 'ping']);
});

test('a message without Content-Length is a fatal framing error', (t) => {
  const framer = new StreamFramer();
  const noLength = Buffer.from(request('OPTIONS').toString().replace('Content-Length: 0\r\n', ''));
  const events = framer.feed(Buffer.concat([noLength, request('OPTIONS')]));
  t.deepEqual(summary(events), ['error 400 fatal']);
  t.like(events[0], { isRequest: true, drop: false, partial: { callId: 'a84b4c76e66710@pc33.example.com' } });
  t.true(framer.closed);
  t.deepEqual(framer.feed(request('OPTIONS')), [], 'nothing after a framing error');
});

test('a syntax error inside a well-framed message does not break the stream', (t) => {
  const bad = Buffer.from(request('INVITE', 'abc').toString().replace('CSeq: 1 INVITE', 'CSeq: 1 BYE'));
  const events = feedAll(new StreamFramer(), Buffer.concat([bad, request('OPTIONS')]), 5);
  t.deepEqual(summary(events), ['error 400', 'OPTIONS:']);
});

test('size limits: 513 for an endless header section, 413 for a large Content-Length', (t) => {
  const framer = new StreamFramer({ maxSize: 1024 });
  const events = feedAll(framer, Buffer.from(`INVITE sip:a@b SIP/2.0\r\nX: ${'a'.repeat(3000)}`), 100);
  t.deepEqual(summary(events), ['error 513 fatal']);
  const big = Buffer.from(request('INVITE').toString().replace('Content-Length: 0', 'Content-Length: 100000'));
  t.deepEqual(summary(new StreamFramer().feed(big)), ['error 413 fatal']);
});

test('byte-by-byte feeding of a 60 KB message yields the one message', (t) => {
  const body = 'x'.repeat(60_000);
  const data = request('MESSAGE', body);
  const framer = new StreamFramer();
  const events = feedAll(framer, data, 1);
  t.is(events.length, 1);
  t.is(events[0]?.type === 'message' ? events[0].message.body.length : 0, 60_000);
});
