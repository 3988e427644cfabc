/**
 * Start and stop: an unreachable or unusable database is one clear DatabaseUnavailable; stop() drains
 * (in-flight requests finish, idle connections and event streams close, then the port is free), within
 * the grace period; SIP listeners bind their ports (0 = pick one) and survive whatever arrives.
 */
import test, { type ExecutionContext } from 'ava';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { RouteRegistrar } from '../src/api/app.js';
import { ConnectionError } from '../src/client/index.js';
import { loadConfig } from '../src/config/load.js';
import { DatabaseUnavailable } from '../src/errors.js';
import { startServer } from '../src/main.js';
import { MYSQL_SKIP_MESSAGE, mysqlTestUrl } from '../src/testing.js';
import { deferred, http, serve, waitFor } from './helpers.js';

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-test-lifecycle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startOn(t: ExecutionContext, dbUrl: string): Promise<DatabaseUnavailable> {
  const dataDir = tempDir(t);
  const config = loadConfig({ env: {}, overrides: { dataDir, 'db.url': dbUrl, 'http.port': 0, 'sip.port': 0, 'sip.wsPort': 0, 'log.level': 'silent' } });
  const err = await t.throwsAsync(startServer({ config }), { instanceOf: DatabaseUnavailable });
  t.is(err?.code, 'database_unavailable');
  t.false(err?.message.includes('\n'), `one line: ${err?.message}`);
  return err!;
}

/** Resolves true once a TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

const portOf = (url: string) => Number(new URL(url).port);

test('an unreachable MySQL server is one clear DatabaseUnavailable, without the password', async (t) => {
  const err = await startOn(t, 'mysql://root:hunter2@127.0.0.1:1/x');
  t.is(err.message, 'cannot open the mysql database at 127.0.0.1:1: ECONNREFUSED');
  const dns = await startOn(t, 'mariadb://root:hunter2@host.invalid:3306/x');
  t.regex(dns.message, /^cannot open the mysql database at host\.invalid:3306: \S+/);
  for (const e of [err, dns]) t.false(e.message.includes('hunter2'));
});

test('an SQLite file that cannot be created is a DatabaseUnavailable too', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'file'), '');
  const err = await startOn(t, `sqlite:${join(dir, 'file', 'sub', 'hotline.sqlite')}`);
  t.regex(err.message, /^cannot open the sqlite database at sqlite:.*: ENOTDIR$/);
  const isDir = await startOn(t, `sqlite:${dir}`);
  t.regex(isDir.message, /^cannot open the sqlite database at sqlite:/);
});

const mysqlTest = mysqlTestUrl ? test : test.skip;
mysqlTest(`a MySQL server that refuses us (unknown database, bad credentials) is a DatabaseUnavailable naming why${mysqlTestUrl ? '' : ` (${MYSQL_SKIP_MESSAGE})`}`, async (t) => {
  const base = new URL(mysqlTestUrl!);
  const unknownDb = new URL(base);
  unknownDb.pathname = '/hotline_t_does_not_exist';
  t.regex((await startOn(t, unknownDb.toString())).message, /Unknown database 'hotline_t_does_not_exist'/);
  const badUser = new URL(base);
  badUser.username = 'hotline_nobody';
  badUser.password = 'hunter2';
  const denied = await startOn(t, badUser.toString());
  t.regex(denied.message, /Access denied/);
  t.false(denied.message.includes('hunter2'));
});

/** A test-only route that waits for the test to let it finish, then writes. */
function slowRoute(entered: () => void, gate: Promise<void>): RouteRegistrar {
  return (app, s) => {
    app.get('/v1/test/slow', { config: { access: 'public' } }, async () => {
      entered();
      await gate;
      const skill = await s.store.writer.run((tx) => s.skills.create(tx, { userId: null, name: 'test', role: 'admin', source: 'test' }, { name: 'drained' }));
      return { skill: skill.name };
    });
  };
}

function get(port: number, path: string, agent?: Agent): Promise<{ status: number; body: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('stop() drains: in-flight requests finish with 200, idle connections and streams close, then the port refuses', async (t) => {
  const entered = deferred();
  const gate = deferred();
  const s = await serve(t, { routes: [slowRoute(() => entered.resolve(), gate.promise)] });
  t.teardown(() => gate.resolve());
  const port = portOf(s.url);

  // An idle keep-alive connection, and an open event stream.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  t.is((await get(port, '/v1/health', agent)).status, 200);
  const idleSocket = Object.values(agent.freeSockets).flat()[0]!;
  t.truthy(idleSocket, 'a kept-alive socket');
  const idleClosed = new Promise((r) => idleSocket.once('close', r));
  const live = deferred();
  const stream = s.admin.events.stream({ after: 0, onEvent: () => {}, onLive: () => live.resolve() });
  stream.catch(() => {});
  await live.promise;

  const busyAgent = new Agent({ keepAlive: true });
  t.teardown(() => busyAgent.destroy());
  const inFlight = get(port, '/v1/test/slow', busyAgent);
  await entered.promise;
  let stopped = false;
  const stopping = s.server.stop().then(() => (stopped = true));

  await waitFor('the listener to close', () => refused(port));
  await idleClosed;
  const streamErr = await t.throwsAsync(stream, { instanceOf: ConnectionError });
  t.regex(streamErr?.message ?? '', /1001: server shutting down/);
  t.false(stopped, 'stop() waits for the in-flight request');

  gate.resolve();
  const res = await inFlight;
  t.is(res.status, 200);
  t.deepEqual(JSON.parse(res.body), { skill: 'drained' });
  t.is(res.connection, 'close', 'a response finished during the drain closes its connection');
  const finished = Date.now();
  await stopping;
  const tail = Date.now() - finished;
  t.true(tail < 2000, `stop() completes once the last request is done, not after the keep-alive timeout (${tail} ms)`);
  t.true(await refused(port), 'after stop the port refuses connections');
  const again = await http(s.url, 'GET', '/v1/health').catch((e: Error) => e);
  t.true(again instanceof Error);

  // The write made during the drain was committed before the database closed.
  await s.restart();
  t.deepEqual((await s.admin.skills.list()).map((k) => k.name), ['drained']);
});

test('stop() cuts requests that outlive shutdown.graceMs', async (t) => {
  const entered = deferred();
  const gate = deferred();
  const s = await serve(t, { overrides: { 'shutdown.graceMs': 300 }, routes: [slowRoute(() => entered.resolve(), gate.promise)] });
  t.teardown(() => gate.resolve());
  const inFlight = get(portOf(s.url), '/v1/test/slow');
  inFlight.catch(() => {});
  await entered.promise;
  const started = Date.now();
  await s.server.stop();
  const took = Date.now() - started;
  t.true(took >= 250, `waited for the grace period (${took} ms)`);
  t.true(took < 5000, `but not for the request (${took} ms)`);
  await t.throwsAsync(inFlight, { message: /socket hang up|ECONNRESET/ });
});

test('SIP listeners bind UDP, TCP and WebSocket ports (0 = pick), report them, and survive whatever arrives', async (t) => {
  const s = await serve(t);
  const st = await s.admin.status();
  const { sipUdp, sipTcp, sipWs, http: httpL } = st.listeners;
  for (const [name, l] of Object.entries({ sipUdp, sipTcp, sipWs, httpL })) {
    t.is(l?.host, '127.0.0.1', name);
    t.true((l?.port ?? 0) > 0, `${name} has a real port`);
  }
  t.is(sipUdp!.port, sipTcp!.port, 'UDP and TCP share the SIP port');
  t.not(sipWs!.port, sipTcp!.port);
  t.deepEqual(s.server.listeners, st.listeners);

  // UDP: garbage is dropped, a malformed request answered at its source (sip-server.test.ts covers answers).
  const udp = createSocket('udp4');
  t.teardown(() => udp.close());
  const sent = (msg: string) => new Promise<void>((resolve, reject) => udp.send(msg, sipUdp!.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  await sent('\u0000\u0001garbage');
  await sent('OPTIONS sip:hotline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n');

  // TCP: accepted; a malformed request gets 400 on the connection.
  const answer = await new Promise<string>((resolve, reject) => {
    const sock = connect(sipTcp!.port, '127.0.0.1');
    t.teardown(() => sock.destroy());
    let got = '';
    sock.on('connect', () => sock.write('OPTIONS sip:x SIP/2.0\r\n\r\n'));
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) resolve(got);
    });
    sock.on('error', reject);
  });
  t.regex(answer, /^SIP\/2\.0 400 /);

  // WebSocket with the `sip` subprotocol: accepted and kept open; plain HTTP gets 426.
  const ws = new WebSocket(`ws://127.0.0.1:${sipWs!.port}`, 'sip');
  t.teardown(() => ws.terminate());
  const protocol = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => resolve(ws.protocol));
    ws.on('error', reject);
  });
  t.is(protocol, 'sip');
  t.is((await get(sipWs!.port, '/')).status, 426);

  t.deepEqual(await s.admin.health(), { status: 'ok' }, 'the server is still fine');
  t.is((await s.admin.status()).listeners['sipUdp']?.port, sipUdp!.port);
  await s.server.stop();
  for (const p of [sipTcp!.port, sipWs!.port, httpL!.port]) t.true(await refused(p), `port ${p} released`);
  const rebind = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    rebind.once('error', reject);
    rebind.bind(sipUdp!.port, '127.0.0.1', () => resolve());
  });
  await new Promise<void>((r) => rebind.close(() => r()));
  t.pass('the UDP port is free again');
});

test('a port already in use makes the start fail cleanly, and the other server carries on', async (t) => {
  const a = await serve(t);
  const st = await a.admin.status();
  for (const [key, port] of [['sip.port', st.listeners['sipUdp']!.port], ['sip.wsPort', st.listeners['sipWs']!.port], ['http.port', st.listeners['http']!.port]] as const) {
    const err = await t.throwsAsync(serve(t, { overrides: { [key]: port } }));
    t.regex(err?.message ?? '', /EADDRINUSE/, key);
  }
  t.deepEqual(await a.admin.health(), { status: 'ok' });
});
