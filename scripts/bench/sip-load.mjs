#!/usr/bin/env node
/**
 * SIP load benchmark (issue 3): SIPp `uac` -> server -> SIPp `uas` over UDP on loopback, for the Hotline
 * server and, as the reference, for Kamailio as a minimal stateful proxy (scripts/bench/kamailio.cfg).
 *
 *   npm run build && node scripts/bench/sip-load.mjs [--only hotline|kamailio|registrations] [--step-seconds 10]
 *                                                    [--max-rate 1200] [--hold-seconds 30] [--registrations 10000]
 *
 * Builds nothing (expects `npm run build`). The Hotline server runs from dist on a temp data dir
 * (SQLite) with SIP on free ports and sip.maxCallsPerAgent 0 (unlimited); the benchmark creates a trunk
 * allowing 127.0.0.1, a number routed to agent 1001 and that agent through the API client, and registers
 * the agent's device from the uas's port (the binding's source). Kamailio runs in the foreground
 * (`-DD -E`) on its own loopback port and forwards everything to its own uas. Measured, for both:
 *
 *  (a) rate search: the uac places calls (hold 1 s) at 100, 200, 300, ... calls/s for --step-seconds
 *      each; a step passes when every call completed its scenario (an unexpected message, e.g. a 200 OK
 *      retransmitted after the ACK crossed it, is ignored, but the call fails when what it waits for
 *      does not come within 10 s: a 4xx-6xx instead of 200 is a failure); a failed step is run once more (one scheduling stall on a shared machine can drop a
 *      datagram). The figure is the highest rate that passed, up to --max-rate.
 *  (b) setup time at 100 calls/s: from the uac sending the INVITE to it receiving the 200 OK (the uas's
 *      answer relayed through the server; scripts/bench/uac-setup.xml), per call from SIPp's message
 *      trace (µs timestamps; SIPp's own RTD counters tick in 4 ms steps here), p50 and p99.
 *  (c) concurrent dialogs: 100 calls/s held --hold-seconds each, 2,500 calls, so ~2,500 dialogs are up at
 *      once; the figure is SIPp's peak of current calls, valid only when every call completed.
 *  (d) Hotline only: memory for --registrations registered devices: a fresh server, that many agents
 *      created with one center apply, each registered over UDP with SHA-256 digest (backing off on 503
 *      when the transaction table is full). The server runs with scripts/bench/memory-probe.cjs, which
 *      answers SIGUSR2 with process.memoryUsage() after a full GC: heap and RSS before the registrations
 *      and once their completed transactions expired (Timer J, 32 s) after them.
 *
 * Prints progress lines, then a summary table with our figure, Kamailio's, their ratio and the load
 * average beside each figure (the machine is shared: figures are noisy). SIPp runs with
 * `-buff_size 4194304`. Every process (server, sipp, kamailio) and temp dir is removed at the end, also
 * on failure and Ctrl-C.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanup, readyLine, ROOT, serverArgs, sleep, spawnCli, spawnGroup, stopGroup, stopServer, tempDir } from './lib.mjs';

const SIPP = ['/usr/bin/sipp', '/usr/local/bin/sipp'].find((p) => existsSync(p));
const KAMAILIO = ['/usr/sbin/kamailio', '/usr/local/sbin/kamailio'].find((p) => existsSync(p));
const HERE = join(ROOT, 'scripts', 'bench');
const SCENARIO = join(HERE, 'uac-setup.xml');
const DIST = join(ROOT, 'packages', 'server', 'dist', 'src');
const NUMBER = '4930100200';
const BUFF = ['-buff_size', '4194304'];

const { values: opt } = parseArgs({
  options: {
    only: { type: 'string' },
    'step-seconds': { type: 'string', default: '10' },
    'max-rate': { type: 'string', default: '1200' },
    'hold-seconds': { type: 'string', default: '30' },
    registrations: { type: 'string', default: '10000' },
  },
});
const STEP_S = Number(opt['step-seconds']);
const MAX_RATE = Number(opt['max-rate']);
const HOLD_S = Number(opt['hold-seconds']);
const REGS = Number(opt.registrations);
const RATES = [100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000].filter((r) => r <= MAX_RATE);

if (!SIPP) {
  console.error('sipp is not installed (Debian package sip-tester)');
  process.exit(1);
}
if (!existsSync(join(DIST, 'testing.js')) || !existsSync(join(ROOT, 'packages/cli/dist/src/commands/server/start.js'))) {
  console.error('build first: npm run build');
  process.exit(1);
}
const { HotlineClient } = await import(join(DIST, 'client', 'index.js'));
const { sipRegisterUdp, digestAuthorization } = await import(join(DIST, 'testing.js'));

const load = () => loadavg()[0].toFixed(2);
const log = (msg) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** A port free for both UDP and TCP on 127.0.0.1, not handed out before in this run. */
const used = new Set();
async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
        const p = srv.address().port;
        srv.close(() => resolve(p));
      });
    });
    if (used.has(port)) continue;
    const udpFree = await new Promise((resolve) => {
      const s = createSocket('udp4').once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) {
      used.add(port);
      return port;
    }
  }
}

function quantile(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : NaN;
}

/** Last cumulative value of a row of SIPp's screen ("Successful call | periodic | cumulative"). */
function screenValue(text, label) {
  const all = [...text.matchAll(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, 'g'))];
  return all.length ? Number(all.at(-1)[1]) : -1;
}

/** Rows of a SIPp -trace_stat CSV as objects (columns by header name). */
function statRows(file) {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const head = lines[0].split(';');
  return lines.slice(1).map((l) => Object.fromEntries(l.split(';').map((v, i) => [head[i], v])));
}

/** A uas answering every INVITE (SIPp built-in scenario), running until stopped. */
async function startUas(port, dir) {
  const proc = spawnGroup(SIPP, ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), '-mp', String(await freePort()), '-t', 'u1', ...BUFF,
    '-timer_resol', '1', '-nostdin', '-trace_err', '-error_file', join(dir, 'uas-err.log')], { cwd: dir });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  await sleep(300);
  if (proc.exitCode !== null) throw new Error(`sipp uas exited ${proc.exitCode}: ${stderr}`);
  return proc;
}

/**
 * One SIPp uac run: `calls` calls at `rate` calls/s, each held `holdMs`, to `target` (host:port); resolves
 * with the counts once SIPp exits. `traceMsg` keeps the message trace for setup times.
 */
async function uac(target, dir, { rate, calls, holdMs, limit, traceMsg = false, timeoutS }) {
  const name = `uac-${rate}-${calls}-${Date.now()}`;
  const screen = join(dir, `${name}.screen`);
  const stat = join(dir, `${name}.csv`);
  const msgs = join(dir, `${name}.msg`);
  const errs = join(dir, `${name}.err`);
  const args = ['-sf', SCENARIO, '-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(await freePort()), '-t', 'u1', ...BUFF,
    '-s', NUMBER, '-r', String(rate), '-m', String(calls), '-l', String(limit ?? Math.max(rate * 4, 100)), '-d', String(holdMs),
    // An unexpected message (a 200 OK retransmitted after the ACK crossed it) does not abort the call;
    // a call still fails when the message it waits for does not come within -recv_timeout.
    '-default_behaviors', 'all,-abortunexp',
    '-recv_timeout', '10000', '-timeout', `${timeoutS}s`, '-timer_resol', '1', '-nostdin',
    '-trace_screen', '-screen_file', screen, '-trace_stat', '-stf', stat, '-fd', '1', '-trace_err', '-error_file', errs,
    ...(traceMsg ? ['-trace_msg', '-message_file', msgs] : []), target];
  const drops0 = udpDrops();
  const t0 = performance.now();
  const proc = spawnGroup(SIPP, args, { cwd: dir });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => proc.once('exit', (c, sig) => resolve(c ?? (sig ? 128 : 1))));
  const seconds = (performance.now() - t0) / 1000;
  const text = existsSync(screen) ? readFileSync(screen, 'utf8') : '';
  if (!text) throw new Error(`sipp uac wrote no screen (exit ${code}): ${stderr.slice(0, 500)}`);
  const rows = statRows(stat);
  const num = (k) => Math.max(0, ...rows.map((r) => Number(r[k]) || 0));
  return {
    code, seconds,
    successful: screenValue(text, 'Successful call'),
    failed: screenValue(text, 'Failed call'),
    retransmissions: num('Retransmissions(C)'),
    peakCalls: num('CurrentCall'),
    msgFile: traceMsg ? msgs : undefined,
    drops: udpDrops() - drops0,
    errors: errorKinds(errs),
  };
}

/**
 * Datagrams the kernel dropped because a UDP socket's receive buffer was full (all sockets of the
 * machine: /proc/net/snmp Udp RcvbufErrors). SIPp's own sockets have 4 MB (-buff_size), so drops during
 * a run are mostly the server's socket (net.core.rmem_default unless the server sets its own size).
 */
function udpDrops() {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const head = lines[0].split(/\s+/);
    return Number(lines[1].split(/\s+/)[head.indexOf('RcvbufErrors')]) || 0;
  } catch {
    return 0;
  }
}

/** The kinds of failure in a SIPp error file, with counts ("while expecting '200' (index 4), received 'SIP/2.0 480'"). */
function errorKinds(file) {
  if (!existsSync(file)) return '';
  const kinds = new Map();
  for (const m of readFileSync(file, 'utf8').matchAll(/: ((?:Aborting call|Dead call|Call|Retransmission|Unexpected)[^\n']*?)(?:for Call-Id '[^']*'|\d+-\d+@\S+)?[:,]? ?(while expecting '\d+'[^']*'[^\n]*|[^\n]*)/g)) {
    const key = `${m[1].trim()} ${m[2].slice(0, 90)}`.replace(/Call-Id '[^']*'/g, '').replace(/\s+/g, ' ');
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  return [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, n]) => `${n}x ${k}`).join('; ');
}

/** Setup times (ms) per call from a SIPp message trace: INVITE sent -> 200 OK (CSeq INVITE) received. */
function setupTimes(file) {
  const text = readFileSync(file, 'utf8');
  const sent = new Map();
  const out = [];
  for (const block of text.split(/^-{10,} /m)) {
    const ts = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)/.exec(block);
    if (!ts) continue;
    const t = Date.parse(ts[1].replace(' ', 'T').slice(0, 23) + 'Z') + Number(`0.${ts[1].split('.')[1].slice(3)}`);
    const callId = /^Call-ID:\s*(\S+)/im.exec(block)?.[1];
    if (!callId) continue;
    if (/message sent/.test(block) && /^INVITE /m.test(block) && !sent.has(callId)) sent.set(callId, t);
    else if (/message received/.test(block) && /^SIP\/2\.0 200 /m.test(block) && /^CSeq:\s*\d+ INVITE/im.test(block) && sent.has(callId)) {
      out.push(t - sent.get(callId));
      sent.delete(callId);
    }
  }
  return out.sort((a, b) => a - b);
}

/** (a), (b), (c) against one SIP target (host:port of the server or of Kamailio). */
async function loadSuite(label, target, dir) {
  const result = {};
  log(`${label}: (a) rate search, ${STEP_S} s per step, calls held 1 s`);
  result.rate = 0;
  for (const rate of RATES) {
    const calls = rate * STEP_S;
    let ok = false;
    let loadBefore;
    // A step that fails is run once more: on a shared machine one stall can drop a datagram.
    for (let attempt = 1; attempt <= 2 && !ok; attempt++) {
      loadBefore = load();
      const r = await uac(target, dir, { rate, calls, holdMs: 1000, timeoutS: STEP_S + 30 });
      ok = r.failed === 0 && r.successful === calls;
      log(`${label}:   ${String(rate).padStart(4)} calls/s  ${r.successful}/${calls} ok, ${r.failed} failed, ${r.retransmissions} retransmissions, ` +
        `${r.drops} udp drops, ${r.seconds.toFixed(1)} s  load ${loadBefore}  ${ok ? 'pass' : attempt === 1 ? 'FAIL (retrying once)' : 'FAIL'}`);
      if (!ok && r.errors) log(`${label}:     sipp errors: ${r.errors}`);
      if (!ok) await sleep(3000);
    }
    if (!ok) {
      result.firstFailure = rate;
      break;
    }
    result.rate = rate;
    result.rateLoad = loadBefore;
    await sleep(2000);
  }
  if (!result.firstFailure) result.rateCapped = true;
  // A failed step leaves retransmissions and 32 s timers behind; let them settle before timing setups.
  await sleep(result.firstFailure ? 12_000 : 3000);

  log(`${label}: (b) setup time at 100 calls/s for 10 s (INVITE sent -> 200 OK received at the uac)`);
  result.latencyLoad = load();
  const b = await uac(target, dir, { rate: 100, calls: 1000, holdMs: 200, traceMsg: true, timeoutS: 40 });
  const times = setupTimes(b.msgFile);
  result.p50 = quantile(times, 0.5);
  result.p99 = quantile(times, 0.99);
  result.latencyOk = b.failed === 0 && b.successful === 1000;
  log(`${label}:   ${b.successful}/1000 ok, ${b.failed} failed, ${b.drops} udp drops; ${times.length} samples: p50 ${result.p50.toFixed(2)} ms, ` +
    `p99 ${result.p99.toFixed(2)} ms, max ${times.at(-1)?.toFixed(2)} ms  load ${result.latencyLoad}`);
  await sleep(3000);

  const calls = 100 * Math.max(25, Math.ceil(2000 / 100) + 5);
  log(`${label}: (c) concurrent dialogs: ${calls} calls at 100 calls/s, each held ${HOLD_S} s`);
  result.concurrentLoad = load();
  const c = await uac(target, dir, { rate: 100, calls, holdMs: HOLD_S * 1000, limit: calls + 100, timeoutS: calls / 100 + HOLD_S + 40 });
  result.concurrent = c.failed === 0 && c.successful === calls ? c.peakCalls : 0;
  log(`${label}:   peak ${c.peakCalls} concurrent calls; ${c.successful}/${calls} ok, ${c.failed} failed, ${c.retransmissions} retransmissions, ${c.drops} udp drops  ` +
    `load ${result.concurrentLoad}${result.concurrent ? '' : '  FAIL'}`);
  return result;
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function startHotline(dir, env = {}) {
  // No keepalive or registration towards the bench trunk: only the calls' own traffic, all on loopback.
  const server = spawnCli(serverArgs(join(dir, 'data')), {
    HOTLINE_SIP_MAX_CALLS_PER_AGENT: '0', HOTLINE_SIP_TRUNK_KEEPALIVE_SECONDS: '0', HOTLINE_SIP_TRUNK_REGISTRATION: 'false', ...env,
  });
  const ready = await readyLine(server);
  const token = readFileSync(ready.tokenFile, 'utf8').trim();
  return { server, ready, client: new HotlineClient({ url: ready.http.url, token, timeoutMs: 300_000 }) };
}

async function hotlineSuite() {
  const dir = tempDir('sip-load');
  const { server, ready, client } = await startHotline(dir);
  const sipPort = ready.sip.udp.port;
  log(`hotline: server pid ${ready.pid}, SIP udp 127.0.0.1:${sipPort}, RSS ${rssMb(ready.pid).toFixed(1)} MB`);
  // Inbound only (calls come from SIPp on 127.0.0.1); the outbound host stays on loopback too (port 9: discard).
  await client.trunks.create({ name: 'bench-carrier', host: '127.0.0.1', port: 9, inboundCidrs: ['127.0.0.1/32'] });
  await client.agents.create({ extension: '1001', name: 'Bench agent', password: 'bench secret 1001' });
  await client.numbers.create({ number: NUMBER, target: 'agent:1001' });
  const uasPort = await freePort();
  const status = await sipRegisterUdp({ port: sipPort, user: '1001', password: 'bench secret 1001', contact: `<sip:1001@127.0.0.1:${uasPort}>`, localPort: uasPort });
  if (status !== 200) throw new Error(`REGISTER of the uas device: ${status}`);
  const uas = await startUas(uasPort, dir);
  try {
    const r = await loadSuite('hotline', `127.0.0.1:${sipPort}`, dir);
    r.rssAfterLoad = rssMb(ready.pid);
    log(`hotline: RSS after the load ${r.rssAfterLoad.toFixed(1)} MB`);
    return r;
  } finally {
    await stopGroup(uas);
    const code = await stopServer(server);
    if (code !== 0) log(`hotline: server exited ${code} after SIGTERM`);
  }
}

/** REGISTER `n` agents (ext 30000+i) over UDP with digest, `inflight` at a time, from a few sockets. */
async function registerMany(sipPort, n, password, inflight = 100) {
  const socks = await Promise.all(Array.from({ length: 8 }, () => new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  })));
  const pending = new Map(); // Call-ID -> resolve(response text)
  const retransmits = new Set();
  let closed = false;
  let backoffs = 0;
  for (const s of socks) {
    s.on('message', (d) => {
      const text = d.toString();
      const callId = /^Call-ID:\s*(\S+)/im.exec(text)?.[1];
      const p = callId && pending.get(callId);
      if (p && / (\d{3}) /.exec(text)[1] !== '100') {
        pending.delete(callId);
        p(text);
      }
    });
  }
  // Retransmitted every second like a UA's Timer E would (a datagram can be dropped under load).
  const send = (sock, text, callId) => new Promise((resolve, reject) => {
    const retransmit = setInterval(() => {
      if (!closed) sock.send(text, sipPort, '127.0.0.1');
    }, 1000);
    retransmits.add(retransmit);
    const timer = setTimeout(() => {
      clearInterval(retransmit);
      pending.delete(callId);
      reject(new Error(`no answer to REGISTER ${callId}`));
    }, 20_000);
    pending.set(callId, (t) => {
      clearTimeout(timer);
      clearInterval(retransmit);
      resolve(t);
    });
    sock.send(text, sipPort, '127.0.0.1');
  });
  const one = async (i) => {
    const sock = socks[i % socks.length];
    const user = String(30000 + i);
    const local = sock.address().port;
    const callId = `bench-reg-${i}-${process.pid}`;
    const request = (cseq, auth) => [
      'REGISTER sip:127.0.0.1 SIP/2.0', `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-bench-${i}-${cseq};rport`, 'Max-Forwards: 70',
      `From: <sip:${user}@127.0.0.1>;tag=b${i}`, `To: <sip:${user}@127.0.0.1>`, `Call-ID: ${callId}`, `CSeq: ${cseq} REGISTER`,
      `Contact: <sip:${user}@127.0.0.1:${local}>`, 'Expires: 3600', 'User-Agent: hotline-bench', ...(auth ? [`Authorization: ${auth}`] : []),
      'Content-Length: 0', '', '',
    ].join('\r\n');
    let cseq = 0;
    // 503: the server's transaction table is full (completed REGISTER transactions linger 32 s, Timer J,
    // RFC 3261 §17.2.2); back off and send again, as a UA would after Retry-After.
    const exchange = async (auth) => {
      for (;;) {
        const answer = await send(sock, request(++cseq, auth), callId);
        const status = Number(/^SIP\/2\.0 (\d+)/.exec(answer)[1]);
        if (status !== 503) return { status, answer };
        backoffs++;
        await sleep(1000 + Math.random() * 1000);
      }
    };
    const first = await exchange();
    const challenge = first.answer.split('\r\n').find((l) => /^WWW-Authenticate:/i.test(l) && l.includes('SHA-256'));
    if (!challenge) throw new Error(`REGISTER ${user}: no SHA-256 challenge: ${first.answer.split('\r\n')[0]}`);
    const auth = digestAuthorization(challenge.replace(/^WWW-Authenticate:\s*/i, ''), 'REGISTER', 'sip:127.0.0.1', user, password);
    const second = await exchange(auth);
    if (second.status !== 200) throw new Error(`REGISTER ${user}: ${second.answer.split('\r\n')[0]}`);
  };
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < n) {
      await one(next++);
      if (++done % 2000 === 0) log(`registrations:   ${done}/${n} (${Math.round(done / ((performance.now() - t0) / 1000))}/s)`);
    }
  };
  try {
    await Promise.all(Array.from({ length: inflight }, worker));
  } finally {
    closed = true;
    for (const r of retransmits) clearInterval(r);
    for (const s of socks) s.close();
  }
  return { seconds: (performance.now() - t0) / 1000, backoffs };
}

/** The server's memory after a full GC (scripts/bench/memory-probe.cjs answers SIGUSR2): MB. */
async function liveMemory(pid, file) {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (text && text !== before) {
      const m = JSON.parse(text);
      return { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20, external: (m.external + m.arrayBuffers) / 2 ** 20 };
    }
  }
  throw new Error('the server did not answer the memory probe (SIGUSR2)');
}

async function registrationSuite() {
  const dir = tempDir('sip-regs');
  const memFile = join(dir, 'memory.json');
  const { server, ready, client } = await startHotline(dir, {
    NODE_OPTIONS: `--expose-gc --require ${join(HERE, 'memory-probe.cjs')}`, BENCH_MEMORY_FILE: memFile,
  });
  const mem = (m) => `RSS ${m.rss.toFixed(1)} MB, heap ${m.heap.toFixed(1)} MB (after GC)`;
  try {
    const sipPort = ready.sip.udp.port;
    const r = { rssStart: rssMb(ready.pid) };
    log(`registrations: fresh server pid ${ready.pid}, RSS ${r.rssStart.toFixed(1)} MB; creating ${REGS} agents with one center apply`);
    const password = 'bench device secret';
    const agents = Array.from({ length: REGS }, (_, i) => ({ extension: String(30000 + i), name: `Bench ${i}`, password }));
    let t0 = performance.now();
    await client.center.apply({ apiVersion: 'hotline/v1', kind: 'Center', agents });
    r.memBefore = await liveMemory(ready.pid, memFile);
    r.load = load();
    log(`registrations:   ${REGS} agents in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${mem(r.memBefore)}  load ${r.load}`);
    t0 = performance.now();
    const { seconds: secs, backoffs } = await registerMany(sipPort, REGS, password);
    const listed = (await client.request('GET', '/v1/registrations')).length;
    const right = await liveMemory(ready.pid, memFile);
    log(`registrations:   ${REGS} REGISTER+digest in ${secs.toFixed(1)} s (${Math.round(REGS / secs)}/s, ${backoffs} backoffs on 503); ${listed} bindings listed; ` +
      `right after: ${mem(right)}`);
    // Completed REGISTER transactions are kept 32 s (Timer J, RFC 3261 §17.2.2); measure once they are gone.
    log('registrations:   waiting 34 s for the completed transactions to expire (Timer J)');
    await sleep(34_000);
    r.memAfter = await liveMemory(ready.pid, memFile);
    r.delta = r.memAfter.heap - r.memBefore.heap;
    r.rssDelta = r.memAfter.rss - r.memBefore.rss;
    r.rssAfter = r.memAfter.rss;
    log(`registrations:   ${mem(r.memAfter)}: heap +${r.delta.toFixed(1)} MB, RSS +${r.rssDelta.toFixed(1)} MB for ${REGS} bindings`);
    r.bindings = listed;
    return r;
  } finally {
    const code = await stopServer(server);
    if (code !== 0) log(`registrations: server exited ${code} after SIGTERM`);
  }
}

async function kamailioSuite() {
  if (!KAMAILIO) {
    log('kamailio: not installed (Debian package kamailio): reference skipped');
    return undefined;
  }
  const dir = tempDir('sip-kamailio');
  const kPort = await freePort();
  const uasPort = await freePort();
  const kam = spawnGroup(KAMAILIO, ['-DD', '-E', '-f', join(HERE, 'kamailio.cfg'), '-l', `udp:127.0.0.1:${kPort}`, '-A', `UAS_URI="sip:127.0.0.1:${uasPort}"`,
    '-m', '256', '-M', '16', '-P', join(dir, 'kamailio.pid'), '-Y', dir, '-w', dir], { cwd: dir });
  let stderr = '';
  kam.stderr.on('data', (d) => (stderr += d));
  await sleep(1500);
  if (kam.exitCode !== null) throw new Error(`kamailio exited ${kam.exitCode}: ${stderr.slice(-1000)}`);
  log(`kamailio: pid ${kam.pid} on udp 127.0.0.1:${kPort}, forwarding to the uas on ${uasPort}`);
  const uas = await startUas(uasPort, dir);
  try {
    return await loadSuite('kamailio', `127.0.0.1:${kPort}`, dir);
  } finally {
    await stopGroup(uas);
    await stopGroup(kam);
  }
}

function summary(ours, kam, regs) {
  const rows = [];
  const fmt = (v, unit, digits = 0) => (v === undefined || Number.isNaN(v) ? '-' : `${v.toFixed(digits)} ${unit}`);
  const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '-');
  if (ours || kam) {
    rows.push(['max rate, zero failures (>= 300)', fmt(ours?.rate, 'cps') + (ours?.rateCapped ? '+' : ''), fmt(kam?.rate, 'cps') + (kam?.rateCapped ? '+' : ''),
      ratio(ours?.rate, kam?.rate), `${ours?.rateLoad ?? '-'} / ${kam?.rateLoad ?? '-'}`]);
    rows.push(['setup p50 at 100 cps', fmt(ours?.p50, 'ms', 2), fmt(kam?.p50, 'ms', 2), ratio(ours?.p50, kam?.p50), `${ours?.latencyLoad ?? '-'} / ${kam?.latencyLoad ?? '-'}`]);
    rows.push(['setup p99 at 100 cps (< 20 ms)', fmt(ours?.p99, 'ms', 2), fmt(kam?.p99, 'ms', 2), ratio(ours?.p99, kam?.p99), `${ours?.latencyLoad ?? '-'} / ${kam?.latencyLoad ?? '-'}`]);
    rows.push(['concurrent dialogs (>= 2000)', fmt(ours?.concurrent, ''), fmt(kam?.concurrent, ''), ratio(ours?.concurrent, kam?.concurrent),
      `${ours?.concurrentLoad ?? '-'} / ${kam?.concurrentLoad ?? '-'}`]);
  }
  if (regs) {
    rows.push([`heap growth, ${REGS} registrations (< 50 MB)`, fmt(regs.delta, 'MB', 1), '-', '-', regs.load]);
    rows.push([`RSS change, ${REGS} registrations`, `${fmt(regs.rssDelta, 'MB', 1)} (${fmt(regs.rssAfter, 'MB', 0)} total)`, '-', '-', regs.load]);
  }
  const head = ['figure', 'hotline', 'kamailio', 'ratio', 'load (1 min) ours / kam'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(`\nSIP load, SIPp uac -> server -> SIPp uas over UDP on loopback (node ${process.version}, ${cpus().length} CPUs)`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log("ratio = hotline / kamailio; '+' = no failure up to --max-rate; setup = INVITE sent -> 200 OK received at the uac");
}

let ours;
let kam;
let regs;
try {
  log(`sip-load: steps ${RATES.join(', ')} calls/s, ${STEP_S} s each; hold ${HOLD_S} s for concurrency; ${REGS} registrations; load ${load()}`);
  if (!opt.only || opt.only === 'hotline') ours = await hotlineSuite();
  if ((!opt.only || opt.only === 'hotline' || opt.only === 'registrations') && REGS > 0) regs = await registrationSuite();
  if (!opt.only || opt.only === 'kamailio') kam = await kamailioSuite();
} catch (err) {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
} finally {
  summary(ours, kam, regs);
  cleanup();
}
