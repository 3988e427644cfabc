/**
 * RFC 4475 / RFC 5118 torture messages (/work/shared/sip-torture) replayed as UDP datagrams against
 * SipListeners + SipTransport on loopback:
 *   - every request the parser rejects ("invalid" in index.tsv among them) gets exactly one 4xx/5xx,
 *     at the test socket (the packet's source), whatever host its Via names;
 *   - responses get nothing back; valid requests reach the handler; the egress policy is never asked
 *     (error replies go to the source only); the server still answers afterwards.
 * "Nothing came back" is shown by a sentinel request sent after each message being answered first.
 * The corpus location follows sip-torture.test.ts (HOTLINE_SIP_TORTURE_DIR overrides).
 */
import test from 'ava';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/logger.js';
import { SipListeners } from '../src/sip/listeners.js';
import { getHeader, type SipMessage } from '../src/sip/message.js';
import { parseMessage } from '../src/sip/parse.js';
import { createResponse } from '../src/sip/transaction-messages.js';
import { SipTransport } from '../src/sip/transport.js';

function tortureDir(): string | undefined {
  const fromEnv = process.env['HOTLINE_SIP_TORTURE_DIR'];
  // Compiled test: <repo>/packages/server/dist/test/ -> five levels up is the repo's parent.
  const dir = fromEnv ? fromEnv.replace(/\/?$/, '/') : fileURLToPath(new URL('../../../../../shared/sip-torture/', import.meta.url));
  return existsSync(`${dir}index.tsv`) ? dir : undefined;
}

const DEADLINE = 3000;

/** Datagrams arriving over time; next() waits for one, with a deadline. */
class Inbox {
  readonly items: string[] = [];
  private waiter: ((v: string) => void) | undefined;
  push(v: string): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(v);
    else this.items.push(v);
  }
  next(what: string): Promise<string> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift()!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timed out waiting for ${what}`));
      }, DEADLINE);
      this.waiter = (v) => {
        clearTimeout(timer);
        resolve(v);
      };
    });
  }
}

const sentinel = (n: number) =>
  `OPTIONS sip:hotline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-s${n}\r\nMax-Forwards: 70\r\n` +
  `To: <sip:hotline@127.0.0.1>\r\nFrom: <sip:t@example.com>;tag=1\r\nCall-ID: sentinel-${n}\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n`;

const dir = tortureDir();
if (!dir) {
  test('sip transport torture replay (corpus not found: set HOTLINE_SIP_TORTURE_DIR)', (t) => {
    t.log('RFC 4475 corpus not found: skipped');
    t.pass();
  });
} else {
  test('torture messages over UDP: one error per invalid request, nothing for responses, valid ones delivered', async (t) => {
    const delivered: SipMessage[] = [];
    const egress: string[] = [];
    const transport: SipTransport = new SipTransport({
      log: createLogger('silent'),
      mayEgress: (a, p, tr) => (egress.push(`${tr}:${a}:${p}`), false),
      deliver: (m, source) => {
        delivered.push(m);
        if (m.kind === 'request' && getHeader(m, 'Call-ID') === 'alive') {
          transport.send(createResponse(m, 200, 'OK', { toTag: 'a' }), source).catch((e: unknown) => t.log(String(e)));
        }
      },
    });
    const listeners = new SipListeners({ host: '127.0.0.1', port: 0, wsPort: 0 }, createLogger('silent'), transport);
    transport.attach(listeners);
    await listeners.start();
    const sock = createSocket('udp4');
    t.teardown(async () => {
      await new Promise<void>((r) => sock.close(() => r()));
      transport.close();
      await listeners.stop();
    });
    const inbox = new Inbox();
    sock.on('message', (d) => inbox.push(d.toString('latin1')));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const port = listeners.addresses().udp!.port;
    const send = (b: Buffer | string) => new Promise<void>((r, j) => sock.send(typeof b === 'string' ? Buffer.from(b) : b, port, '127.0.0.1', (e) => (e ? j(e) : r())));

    const rows = readFileSync(`${dir}index.tsv`, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    for (const [n, [file, , , , expected]] of rows.entries()) {
      const data = readFileSync(`${dir}${file}`);
      const local = parseMessage(data, { transport: 'udp' });
      const isRequest = local.ok ? local.message.kind === 'request' : local.isRequest;
      const before = delivered.length;
      await send(data);
      await send(sentinel(n));
      const replies: string[] = [];
      for (let r = await inbox.next(`${file}: sentinel`); !r.includes(`Call-ID: sentinel-${n}\r\n`); r = await inbox.next(`${file}: sentinel`)) replies.push(r);
      const statuses = replies.map((r) => /^SIP\/2\.0 (\d{3}) /.exec(r)?.[1] ?? 'garbage');
      if (!local.ok && isRequest) {
        t.is(statuses.length, 1, `${file}: exactly one reply`);
        t.regex(statuses[0] ?? '', /^[45]\d\d$/, `${file}: ${local.error.code} ${local.error.reason}`);
        t.is(statuses[0], String(local.error.code), `${file}: the parser's status`);
      } else {
        t.deepEqual(statuses, [], `${file}: nothing comes back`);
      }
      if (expected === 'invalid' && isRequest) t.false(local.ok, `${file}: invalid request rejected`);
      t.is(delivered.length - before, local.ok ? 1 : 0, `${file}: delivered iff it parsed`);
    }
    t.deepEqual(egress, [], 'replies went to the packet source only; the egress policy was never needed');
    await send(sentinel(999).replace('sentinel-999', 'alive').replace('CSeq: 1 BYE', 'CSeq: 1 OPTIONS'));
    t.regex(await inbox.next('alive 200'), /^SIP\/2\.0 200 OK\r\n[^]*Call-ID: alive\r\n/);
  });
}
