/**
 * Calls through carrier trunks (calls/trunk-calls.ts, routing/call-routes.ts) with SIPp (Debian package
 * `sip-tester`) as independent peers: SIPp's built-in `uac` scenario as a carrier calling a number whose
 * target is an agent whose registered device is a SIPp `uas` (over UDP and TCP from the carrier), and an
 * agent (test UA) calling out through a trunk whose host is a SIPp `uas` (UDP and TCP). Plus, with test
 * UAs only: unknown numbers (404), queue targets (480 + Warning), caller id and digest towards the
 * carrier, and the trunk limit (503). Waits on process exits and messages, never on sleeps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { getHeader, getHeaders } from '../src/sip/message.js';
import { sipRegisterUdp } from '../src/testing.js';
import { serve, waitFor } from './helpers.js';
import { SDP_ANSWER, SDP_OFFER, udpUa, type CallUa } from './sip-call-ua.js';

const SIPP = ['/usr/bin/sipp', '/usr/local/bin/sipp'].find((p) => existsSync(p));
const withSipp = SIPP ? test : test.skip;
if (!SIPP) console.warn('SIPp trunk tests skipped: sipp is not installed (Debian package sip-tester)');

const NUMBER = '4930123456';

/** A free UDP+TCP port on 127.0.0.1 (bound then released). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4').once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
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
  const proc = spawn(SIPP!, [...args, '-i', '127.0.0.1', '-timeout', '30s', '-trace_screen', '-screen_file', screen, '-trace_err', '-error_file', join(dir, 'err.log')], {
    stdio: ['ignore', 'ignore', 'pipe'], cwd: dir,
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
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

async function setup(t: ExecutionContext) {
  const s = await serve(t);
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
    const uas = sipp(t, ['-sn', 'uas', '-p', String(uasPort), '-t', 'u1', '-m', '20', '-mp', String(await freePort())]);
    // At most 2 calls at once: the per-agent limit (MAX_CALLS_PER_AGENT) would answer a third with 486.
    const uac = sipp(t, ['-sn', 'uac', '-p', String(await freePort()), '-mp', String(await freePort()), '-m', '20', '-r', '10', '-l', '2',
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
    const uas = sipp(t, ['-sn', 'uas', '-p', String(uasPort), '-t', transport, '-m', '1', '-mp', String(await freePort())]);
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
