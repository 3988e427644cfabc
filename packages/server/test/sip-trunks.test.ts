/**
 * Calls through carrier trunks (calls/trunk-calls.ts, routing/call-routes.ts) with SIPp (Debian package
 * `sip-tester`) as independent peers: SIPp's built-in `uac` scenario as a carrier calling a number whose
 * target is an agent whose registered device is a SIPp `uas` (over UDP and TCP from the carrier), and an
 * agent (test UA) calling out through a trunk whose host is a SIPp `uas` (UDP and TCP). Plus, with test
 * UAs only: unknown numbers (404), queue targets (480 + Warning), caller id and digest towards the
 * carrier, the trunk limit (503), digest-authenticated inbound trunks, and trunk host names resolved
 * through a DNS responder started by the test on 127.0.0.1 (sip.dnsServers). Waits on process exits and messages, never on sleeps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { getHeader, getHeaders } from '../src/sip/message.js';
import { sipRegisterUdp } from '../src/testing.js';
import { memoryLogger, serve, waitFor } from './helpers.js';
import { SDP_ANSWER, SDP_OFFER, udpUa, type CallUa } from './sip-call-ua.js';

const SIPP = ['/usr/bin/sipp', '/usr/local/bin/sipp'].find((p) => existsSync(p));
const withSipp = SIPP ? test : test.skip;
if (!SIPP) console.warn('SIPp trunk tests skipped: sipp is not installed (Debian package sip-tester)');

const NUMBER = '4930123456';

/**
 * SIPp's built-in `uas`, except that an INVITE retransmission crossing its 200 is answered again
 * instead of aborting the call (on a loaded machine the server's Timer A may fire before the 180/200
 * reach it; resending is what RFC 3261 §17.1.1.2 asks of the server and §17.2.1 of a UAS).
 */
const UAS_SCENARIO = fileURLToPath(new URL('../../test/fixtures/sipp-uas.xml', import.meta.url));

const udpFree = (port: number) => new Promise<boolean>((resolve) => {
  const s = createSocket('udp4').once('error', () => resolve(false));
  s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
});

/**
 * A base for SIPp's media ports (`-mp`): SIPp binds audio RTP/RTCP at P, P+1 and video at P+2, P+3.
 * Picked below the kernel's ephemeral range (32768+), where other tests' port-0 sockets never land, with
 * all four checked free.
 */
async function freeMediaPort(): Promise<number> {
  for (;;) {
    const base = 20_000 + 4 * Math.floor(Math.random() * 3000);
    let free = true;
    for (let p = base; p < base + 4 && free; p++) free = await udpFree(p);
    if (free) return base;
  }
}

/** A free UDP+TCP port on 127.0.0.1 (bound then released). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    if (await udpFree(port)) return port;
  }
}

interface SippRun {
  proc: ChildProcess;
  exit: Promise<number>;
  /** Successful and failed calls (cumulative) from the final screen. */
  stats(): { successful: number; failed: number };
}

function sipp(t: ExecutionContext, args: string[]): SippRun {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-sipp-'));
  const screen = join(dir, 'screen.log');
  const errFile = join(dir, 'err.log');
  const proc = spawn(SIPP!, [...args, '-i', '127.0.0.1', '-timeout', '30s', '-trace_screen', '-screen_file', screen, '-trace_err', '-error_file', errFile], {
    stdio: ['ignore', 'ignore', 'pipe'], cwd: dir,
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)))).then((code) => {
    // A failed run explains itself: SIPp's error log (unexpected messages, timeouts) goes into the test log.
    if (code !== 0 && existsSync(errFile)) t.log(`sipp ${args.slice(0, 2).join(' ')} errors:\n${readFileSync(errFile, 'utf8').slice(-3000)}`);
    return code;
  });
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exit;
    rmSync(dir, { recursive: true, force: true });
  });
  const stats = () => {
    const text = existsSync(screen) ? readFileSync(screen, 'utf8') : '';
    const last = (label: string) => {
      const all = [...text.matchAll(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, 'g'))];
      return all.length ? Number(all[all.length - 1]![1]) : -1;
    };
    if (!text) t.log(`sipp ${args.join(' ')}: no screen file; stderr: ${stderr}`);
    return { successful: last('Successful call'), failed: last('Failed call') };
  };
  return { proc, exit, stats };
}

async function setup(t: ExecutionContext, overrides?: Record<string, string | number>) {
  const s = await serve(t, overrides ? { overrides } : {});
  await s.admin.agents.create({ extension: '1001', name: 'Agent 1001', password: 'alpha secret' });
  await s.admin.agents.create({ extension: '1002', name: 'Agent 1002', password: 'bravo secret' });
  const udp = (await s.admin.status()).listeners['sipUdp']!.port;
  return { s, udp };
}

for (const transport of ['u1', 't1'] as const) {
  withSipp(`SIPp uac as a carrier (${transport === 'u1' ? 'UDP' : 'TCP'}) calls a number routed to an agent whose device is a SIPp uas: 20 calls, none failed`, async (t) => {
    const { s, udp } = await setup(t);
    await s.admin.trunks.create({ name: 'carrier-a', host: '192.0.2.1', inboundCidrs: ['127.0.0.1/32'] });
    await s.admin.numbers.create({ number: NUMBER, target: 'agent:1001' });
    // The agent's device: REGISTER from port P, then a SIPp uas listens on P (the binding is the REGISTER's source).
    const uasPort = await freePort();
    t.is(await sipRegisterUdp({ port: udp, user: '1001', password: 'alpha secret', contact: `<sip:1001@127.0.0.1:${uasPort}>`, localPort: uasPort }), 200);
    const uas = sipp(t, ['-sf', UAS_SCENARIO, '-p', String(uasPort), '-t', 'u1', '-m', '20', '-mp', String(await freeMediaPort())]);
    // At most 2 calls at once: the per-agent limit (sip.maxCallsPerAgent, default 2) would answer a third with 486.
    const uac = sipp(t, ['-sn', 'uac', '-p', String(await freePort()), '-mp', String(await freeMediaPort()), '-m', '20', '-r', '10', '-l', '2',
      '-t', transport, '-s', NUMBER, `127.0.0.1:${udp}`]);
    const code = await uac.exit;
    const stats = uac.stats();
    t.log(`uac ${transport}: exit ${code}, successful ${stats.successful}, failed ${stats.failed}`);
    t.is(code, 0, 'SIPp uac: every call successful');
    t.deepEqual(stats, { successful: 20, failed: 0 });
    t.is(await uas.exit, 0, 'SIPp uas: 20 calls answered');
    const records = await waitFor('20 ended inbound records', async () => {
      const list = await s.admin.calls.list({ limit: 50 });
      return list.length === 20 && list.every((c) => c.state === 'ended') ? list : undefined;
    });
    for (const c of records) t.like(c, { direction: 'inbound', trunk: 'carrier-a', to: NUMBER, from: 'sipp', hangupBy: 'caller', status: 200 });
  });

  withSipp(`an agent calls out through a trunk (${transport === 'u1' ? 'UDP' : 'TCP'}) to a SIPp uas`, async (t) => {
    const { s, udp } = await setup(t);
    const uasPort = await freePort();
    await s.admin.trunks.create({
      name: 'carrier-b', host: '127.0.0.1', port: uasPort, transport: transport === 'u1' ? 'udp' : 'tcp', inboundCidrs: ['192.0.2.0/24'],
      callerId: { addPrefix: '4930555' },
    });
    const uas = sipp(t, ['-sf', UAS_SCENARIO, '-p', String(uasPort), '-t', transport, '-m', '1', '-mp', String(await freeMediaPort())]);
    const a = await udpUa(t, udp, '1001', 'alpha secret');
    t.is((await a.register()).status, 200);
    const call = await a.invite('00493012345678');
    const ok = await a.response(call.callId, 'INVITE', 200);
    t.is(ok.status, 200);
    t.regex(ok.body.toString(), /m=audio/, 'the uas SDP answer passes through');
    await a.ack(call, ok);
    const active = await waitFor('answered record', async () => (await s.admin.calls.list({ active: true })).find((c) => c.state === 'answered'));
    t.like(active, { direction: 'outbound', trunk: 'carrier-b', from: '1001', to: '00493012345678' });
    t.is((await a.bye(call)).status, 200);
    t.is(await uas.exit, 0, 'SIPp uas: the call was answered and hung up');
    t.deepEqual(uas.stats(), { successful: 1, failed: 0 });
  });
}

/** A raw INVITE (no credentials) from a test UA; resolves with the final response. */
async function rawInvite(ua: CallUa, target: string) {
  const callId = `raw-${Math.random().toString(36).slice(2)}`;
  await ua.send([`INVITE sip:${target}@127.0.0.1 SIP/2.0`, `Via: SIP/2.0/UDP ${ua.host};branch=z9hG4bK${callId};rport`, 'Max-Forwards: 70',
    `From: <sip:carrier@127.0.0.1>;tag=${callId}`, `To: <sip:${target}@127.0.0.1>`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE',
    `Contact: ${ua.contact}`, 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(SDP_OFFER)}`, '', SDP_OFFER].join('\r\n'));
  return ua.response(callId, 'INVITE', 200);
}

test('from a trunk: unknown number 404, queue target 480 with a Warning, agent without devices 480; not a trunk: 407', async (t) => {
  const { s, udp } = await setup(t);
  await s.admin.queues.create({ name: 'support' });
  await s.admin.numbers.create({ number: '4930100', target: 'queue:support' });
  await s.admin.numbers.create({ number: '4930101', target: 'agent:1002' });
  const carrier = await udpUa(t, udp, 'carrier', 'x');
  t.is((await rawInvite(carrier, '4930100')).status, 407, 'no trunk yet: an unknown source is challenged like an agent');
  await s.admin.trunks.create({ name: 'carrier-a', host: '192.0.2.1', inboundCidrs: ['127.0.0.1/32'] });
  t.is((await rawInvite(carrier, '4930999')).status, 404);
  const queued = await rawInvite(carrier, '4930100');
  t.is(queued.status, 480);
  t.regex(getHeader(queued, 'Warning') ?? '', /contact-center core is not available yet/);
  t.is((await rawInvite(carrier, '4930101')).status, 480, 'agent 1002 has no registered device');
});

test('outbound: caller id rules, digest to the carrier on 407, trunk maxCalls 503', async (t) => {
  const { s, udp } = await setup(t);
  const carrier = await udpUa(t, udp, 'carrier', 'x');
  const carrierPort = Number(/:(\d+)/.exec(carrier.host)![1]);
  await s.admin.trunks.create({
    name: 'carrier-b', host: '127.0.0.1', port: carrierPort, inboundCidrs: ['192.0.2.0/24'], username: 'acct', password: 'carrier pw',
    callerId: { defaultCallerId: '4930777' }, maxCalls: 1,
  });
  const a = await udpUa(t, udp, '1001', 'alpha secret');
  t.is((await a.register()).status, 200);
  const call = await a.invite('5551234');
  const first = await carrier.request('INVITE');
  t.regex(getHeader(first, 'From')!, /^<sip:4930777@/, 'defaultCallerId is sent');
  t.is(first.uri, `sip:5551234@127.0.0.1:${carrierPort}`);
  // Challenge like a carrier.
  await carrier.send([`SIP/2.0 407 Proxy Authentication Required`, ...getHeaders(first, 'Via').map((v) => `Via: ${v}`), `From: ${getHeader(first, 'From')}`,
    `To: ${getHeader(first, 'To')};tag=c1`, `Call-ID: ${getHeader(first, 'Call-ID')}`, `CSeq: ${getHeader(first, 'CSeq')}`,
    'Proxy-Authenticate: Digest realm="carrier", nonce="abc123", qop="auth", algorithm=MD5', 'Content-Length: 0', '', ''].join('\r\n'));
  const second = await carrier.request('INVITE');
  t.is(getHeader(second, 'Call-ID'), getHeader(first, 'Call-ID'));
  t.is(getHeader(second, 'CSeq'), '2 INVITE');
  t.regex(getHeader(second, 'Proxy-Authorization')!, /^Digest username="acct", realm="carrier", nonce="abc123"/);

  // A second outbound call while the first is up: the trunk allows one.
  const b = await udpUa(t, udp, '1002', 'bravo secret');
  t.is((await b.register()).status, 200);
  const other = await b.invite('5559999');
  t.is((await b.response(other.callId, 'INVITE', 200)).status, 503);

  await carrier.reply(second, 200, 'OK', { toTag: 'c2', sdp: SDP_ANSWER });
  const ok = await a.response(call.callId, 'INVITE', 200);
  t.is(ok.status, 200);
  await a.ack(call, ok);
  t.is((await a.bye(call)).status, 200);
  const bye = await carrier.request('BYE');
  await carrier.reply(bye, 200, 'OK');
});

test('an agent on 2 calls is busy: a third call gets 486 Busy Here', async (t) => {
  const { s, udp } = await setup(t);
  const carrier = await udpUa(t, udp, 'carrier', 'x');
  const carrierPort = Number(/:(\d+)/.exec(carrier.host)![1]);
  await s.admin.trunks.create({ name: 'carrier-b', host: '127.0.0.1', port: carrierPort, inboundCidrs: ['192.0.2.0/24'] });
  const a = await udpUa(t, udp, '1001', 'alpha secret');
  t.is((await a.register()).status, 200);
  await a.invite('5551001');
  await carrier.request('INVITE');
  await a.invite('5551002');
  await carrier.request('INVITE');
  const third = await a.invite('5551003');
  t.is((await a.response(third.callId, 'INVITE', 200)).status, 486);
});

test('sip.maxCallsPerAgent: 1 makes the second call busy; 0 lifts the limit', async (t) => {
  for (const [limit, busyAt] of [[1, 2], [0, 0]] as const) {
    const { s, udp } = await setup(t, { 'sip.maxCallsPerAgent': limit });
    const carrier = await udpUa(t, udp, 'carrier', 'x');
    const carrierPort = Number(/:(\d+)/.exec(carrier.host)![1]);
    await s.admin.trunks.create({ name: 'carrier-b', host: '127.0.0.1', port: carrierPort, inboundCidrs: ['192.0.2.0/24'] });
    const a = await udpUa(t, udp, '1001', 'alpha secret');
    t.is((await a.register()).status, 200);
    for (let n = 1; n <= 4; n++) {
      const call = await a.invite(`555100${n}`);
      if (n === busyAt) {
        t.is((await a.response(call.callId, 'INVITE', 200)).status, 486, `limit ${limit}: call ${n} is busy`);
        break;
      }
      t.is((await carrier.request('INVITE')).uri.split('@')[0], `sip:555100${n}`, `limit ${limit}: call ${n} goes out`);
    }
  }
});

test('digest trunk: a carrier outside every CIDR authenticates with the trunk inbound credentials and reaches an agent; BYE goes back to it', async (t) => {
  const { s, udp } = await setup(t);
  await s.admin.trunks.create({ name: 'carrier-d', host: '192.0.2.1', inboundUsername: 'carrier-d', inboundPassword: 'carrier d secret', maxCalls: 5 });
  await s.admin.numbers.create({ number: NUMBER, target: 'agent:1001' });
  const agent = await udpUa(t, udp, '1001', 'alpha secret');
  t.is((await agent.register()).status, 200);

  // Wrong password: challenged again (and counted against the source like an agent's failure).
  const impostor = await udpUa(t, udp, 'carrier-d', 'not the password');
  const bad = await impostor.invite(NUMBER);
  t.is((await impostor.response(bad.callId, 'INVITE', 200)).status, 407);

  const carrier = await udpUa(t, udp, 'carrier-d', 'carrier d secret');
  const call = await carrier.invite(NUMBER);
  const offered = await agent.request('INVITE');
  t.regex(getHeader(offered, 'From')!, /^<sip:carrier-d@/);
  await agent.reply(offered, 200, 'OK', { toTag: 'agent1', sdp: SDP_ANSWER });
  const ok = await carrier.response(call.callId, 'INVITE', 200);
  t.is(ok.status, 200);
  await carrier.ack(call, ok);
  const active = await waitFor('answered inbound record', async () => (await s.admin.calls.list({ active: true })).find((c) => c.state === 'answered'));
  t.like(active, { direction: 'inbound', trunk: 'carrier-d', from: 'carrier-d', to: NUMBER });
  // The agent hangs up: the BYE reaches the carrier at the source it authenticated from (egress allowed).
  t.is((await agent.byeAsCallee(offered, 'agent1')).status, 200);
  const bye = await carrier.requestIn(call.callId, 'BYE');
  await carrier.reply(bye, 200, 'OK');
});

test('digest trunk user names: digits only (an agent extension) is 400, a second trunk with the same user name 409', async (t) => {
  const { s } = await setup(t);
  const digits = await t.throwsAsync(s.admin.trunks.create({ name: 'c1', host: '192.0.2.1', inboundUsername: '1001', inboundPassword: 'carrier secret' }));
  t.regex(digits!.message, /non-digit/);
  await s.admin.trunks.create({ name: 'c2', host: '192.0.2.1', inboundUsername: 'carrier', inboundPassword: 'carrier secret' });
  const clash = await t.throwsAsync(s.admin.trunks.create({ name: 'c3', host: '192.0.2.2', inboundUsername: 'carrier', inboundPassword: 'carrier secret' }));
  t.regex(clash!.message, /already uses inbound user name/);
});

/**
 * A tiny DNS responder on 127.0.0.1 (RFC 1035 §4.1): A queries for `names` get their address (TTL 60),
 * anything else NXDOMAIN. Counts the queries it answered.
 */
async function dnsServer(t: ExecutionContext, names: Record<string, string>): Promise<{ port: number; queries: string[] }> {
  const sock = createSocket('udp4');
  const queries: string[] = [];
  sock.on('message', (q, rinfo) => {
    if (q.length < 12) return;
    const labels: string[] = [];
    let i = 12;
    while (i < q.length && q[i]! > 0) {
      labels.push(q.subarray(i + 1, i + 1 + q[i]!).toString('ascii'));
      i += q[i]! + 1;
    }
    const qtype = q.readUInt16BE(i + 1);
    const question = q.subarray(12, i + 5);
    const name = labels.join('.').toLowerCase();
    queries.push(`${name}/${qtype}`);
    const address = names[name];
    const answers: Buffer[] = [];
    if (address && qtype === 1) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
      rr.writeUInt16BE(1, 2); // A
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6); // TTL
      rr.writeUInt16BE(4, 10);
      address.split('.').forEach((b, k) => rr.writeUInt8(Number(b), 12 + k));
      answers.push(rr);
    }
    const header = Buffer.alloc(12);
    q.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8180 | (address ? 0 : 3), 2); // QR RD RA, NOERROR / NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    sock.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => sock.close(() => r())));
  return { port: sock.address().port, queries };
}

test('DNS trunk hosts: a name resolved through sip.dnsServers (cached by TTL) carries the call; an unresolvable trunk is skipped with a log line', async (t) => {
  const dns = await dnsServer(t, { 'carrier.test': '127.0.0.1' });
  const { logger, lines } = memoryLogger();
  const s = await serve(t, { logger, overrides: { 'sip.dnsServers': `127.0.0.1:${dns.port}` } });
  await s.admin.agents.create({ extension: '1001', name: 'Agent 1001', password: 'alpha secret' });
  const udp = (await s.admin.status()).listeners['sipUdp']!.port;
  const carrier = await udpUa(t, udp, 'carrier', 'x');
  const carrierPort = Number(/:(\d+)/.exec(carrier.host)![1]);
  // By name, "a-nowhere" comes first: it does not resolve, so the call goes through "b-carrier".
  await s.admin.trunks.create({ name: 'a-nowhere', host: 'nowhere.test', port: carrierPort, inboundCidrs: ['192.0.2.0/24'] });
  await s.admin.trunks.create({ name: 'b-carrier', host: 'carrier.test', port: carrierPort, inboundCidrs: ['192.0.2.0/24'] });
  const a = await udpUa(t, udp, '1001', 'alpha secret');
  t.is((await a.register()).status, 200);
  for (const n of [1, 2]) {
    const call = await a.invite(`55512${n}`);
    const invite = await carrier.request('INVITE');
    t.is(invite.uri, `sip:55512${n}@carrier.test:${carrierPort}`, 'the Request-URI names the configured host');
    await carrier.reply(invite, 486, 'Busy Here', { toTag: `c${n}` });
    t.is((await a.response(call.callId, 'INVITE', 200)).status, 486);
  }
  t.is(dns.queries.filter((q) => q === 'carrier.test/1').length, 1, 'the second call used the cached answer (TTL 60 s)');
  t.true(lines.some((l) => l.includes('trunk host not resolved') && l.includes('nowhere.test')), 'the skipped trunk is logged');
});
