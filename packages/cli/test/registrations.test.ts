import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { normJson, TIME } from './helpers/normalize.js';
import { runCli } from './helpers/run-cli.js';
import { serverFor } from './helpers/server.js';

/** One REGISTER over UDP, answering the SHA-256 challenge with the password (digest computed here). */
async function registerOverUdp(port: number, user: string, password: string, contact: string): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const answers: string[] = [];
  const waiting: Array<(s: string) => void> = [];
  sock.on('message', (d) => (waiting.length ? waiting.shift()!(d.toString()) : answers.push(d.toString())));
  const next = () => (answers.length ? Promise.resolve(answers.shift()!) : new Promise<string>((r) => waiting.push(r)));
  const callId = randomBytes(6).toString('hex');
  const send = async (cseq: number, auth?: string) => {
    const text = [
      'REGISTER sip:127.0.0.1 SIP/2.0', `Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK${randomBytes(6).toString('hex')}`, 'Max-Forwards: 70',
      `From: <sip:${user}@127.0.0.1>;tag=1`, `To: <sip:${user}@127.0.0.1>`, `Call-ID: ${callId}`, `CSeq: ${cseq} REGISTER`,
      `Contact: ${contact}`, 'Expires: 600', 'User-Agent: cli-test', ...(auth ? [`Authorization: ${auth}`] : []), 'Content-Length: 0', '', '',
    ].join('\r\n');
    await new Promise<void>((res, rej) => sock.send(text, port, '127.0.0.1', (e) => (e ? rej(e) : res())));
    return next();
  };
  try {
    const challenge = (await send(1)).split('\r\n').find((l) => l.startsWith('WWW-Authenticate:') && l.includes('SHA-256'))!;
    const get = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(challenge)![1]!;
    const h = (s: string) => createHash('sha256').update(s).digest('hex');
    const [realm, nonce, opaque] = [get('realm'), get('nonce'), get('opaque')];
    const response = h(`${h(`${user}:${realm}:${password}`)}:${nonce}:00000001:c1:auth:${h('REGISTER:sip:127.0.0.1')}`);
    const auth = `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="sip:127.0.0.1", response="${response}", ` +
      `algorithm=SHA-256, qop=auth, nc=00000001, cnonce="c1", opaque="${opaque}"`;
    return Number(/^SIP\/2\.0 (\d+)/.exec(await send(2, auth))![1]);
  } finally {
    sock.close();
  }
}

test('registrations list prints the registered devices as a table and as JSON', async (t) => {
  const { s, admin, env } = await serverFor(t);
  await admin.agents.create({ extension: '1001', name: 'A', password: 'correct horse' });
  const port = s.server.listeners['sipUdp']!.port;
  t.is(await registerOverUdp(port, '1001', 'correct horse', '<sip:1001@127.0.0.1:5070>'), 200);

  let r = await runCli(['registrations', 'list', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Array<Record<string, string>>;
  t.regex(json[0]!['source']!, /^127\.0\.0\.1:\d+$/);
  t.deepEqual(normJson(json), [{
    extension: '1001', contact: 'sip:1001@127.0.0.1:5070', transport: 'udp', source: json[0]!['source']!, userAgent: 'cli-test',
    expiresAt: TIME, registeredAt: TIME,
  }]);

  r = await runCli(['registrations', 'list'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, '');
  const source = json[0]!['source']!;
  const w = Math.max('SOURCE'.length, source.length);
  // The remaining time counts down while the test runs: 10m00s, 9m59s (a few seconds less on a slow run).
  t.is(r.stdout.replace(/(?:9m5\ds|10m00s) */, (m) => 'T'.padEnd(m.length)), [
    `EXTENSION  CONTACT                  TRANSPORT  ${'SOURCE'.padEnd(w)}  EXPIRES IN  USER AGENT`,
    `1001       sip:1001@127.0.0.1:5070  udp        ${source.padEnd(w)}  T           cli-test`,
    '',
  ].join('\n'));
});
