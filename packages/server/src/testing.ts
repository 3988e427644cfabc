/**
 * Test support, exported as `@hotline/server/testing`: start a real server on loopback with a fresh
 * data directory and a fresh database (SQLite file, or a uniquely named MySQL/MariaDB database), and
 * remove both afterwards. Tests never rely on what a previous run left behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import type { Logger } from 'pino';
import type { RouteRegistrar } from './api/app.js';
import { HotlineClient } from './client/index.js';
import { loadConfig, type Config } from './config/load.js';
import { createLogger } from './logger.js';
import { startServer, type RunningServer } from './main.js';
import type { CallTimerOptions } from './calls/call-timers.js';
import type { FailureTrackerOptions } from './sip/bans.js';
import type { EngineOptions } from './workflow/engine.js';

export type Dialect = 'sqlite' | 'mysql';

/** The MySQL/MariaDB server tests may use, from HOTLINE_TEST_MYSQL_URL (e.g. mysql://root@127.0.0.1:3306/test). */
export const mysqlTestUrl: string | undefined = process.env['HOTLINE_TEST_MYSQL_URL'] || undefined;

export const MYSQL_SKIP_MESSAGE = 'MySQL/MariaDB tests skipped: set HOTLINE_TEST_MYSQL_URL=mysql://user@host:port/db to run them';

/** The dialects storage tests run on: always SQLite; MySQL when HOTLINE_TEST_MYSQL_URL is set. */
export function dialects(): Array<{ dialect: Dialect; available: boolean }> {
  return [
    { dialect: 'sqlite', available: true },
    { dialect: 'mysql', available: mysqlTestUrl !== undefined },
  ];
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, uniquely named database. */
export async function createTestDatabase(dialect: Dialect, dir: string): Promise<TestDatabase> {
  if (dialect === 'sqlite') return { url: `sqlite:${join(dir, 'hotline.sqlite')}`, drop: async () => {} };
  if (!mysqlTestUrl) throw new Error(MYSQL_SKIP_MESSAGE);
  const base = new URL(mysqlTestUrl.replace(/^mariadb:/, 'mysql:'));
  const name = `hotline_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async () =>
    createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  const conn = await admin();
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = await admin();
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

export type TestRole = 'admin' | 'supervisor' | 'agent' | 'auditor';

export interface TestServer {
  /** The running server; replaced by restart(). */
  server: RunningServer;
  /** Base URL of the running server (the port changes on restart). */
  url: string;
  dataDir: string;
  dbUrl: string;
  /** The bootstrap admin token (from admin.token). */
  adminToken: string;
  admin: HotlineClient;
  /** A client for a new user with this role (creates the user and a token). */
  clientFor(role: TestRole, name?: string): Promise<HotlineClient & { token: string; user: string }>;
  /** Stop the server (drain) and start it again on the same data directory and database. */
  restart(): Promise<void>;
  /** Stop the server, drop the database and remove the data directory (idempotent). */
  stop(): Promise<void>;
}

export interface TestServerOptions {
  dialect?: Dialect;
  /** Extra config overrides (keys as in config/schema.ts). */
  overrides?: Record<string, string | number>;
  /** Logger for the server (e.g. one writing to memory, to assert on log lines); default: config level to stdout. */
  logger?: Logger;
  /** Extra routes registered on the API (test-only endpoints). */
  routes?: RouteRegistrar[];
  /** Thresholds of the SIP auth-failure bans (e.g. `{ maxFailures: 3 }` to test banning quickly). */
  sipBans?: FailureTrackerOptions;
  /** The B2BUA's timers and clock (e.g. `{ clock: new FakeClock() }` to drive 2xx retransmission and Timer C by hand). */
  callTimers?: CallTimerOptions;
  /** The workflow rule engine's clock, webhook backoff and loop depth (workflow/engine.ts). */
  rules?: EngineOptions;
}

function clientOf(url: string, token: string): HotlineClient {
  return new HotlineClient({ url, token });
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hotline-test-'));
  let db: TestDatabase | undefined;
  const cleanup = async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let config: Config;
  let server: RunningServer;
  try {
    db = await createTestDatabase(opts.dialect ?? 'sqlite', dataDir);
    config = loadConfig({
      env: {},
      // Hermetic by default: free ports, no trunk keepalive or outbound registration (test trunks name
      // hosts such as 192.0.2.10 that must never be sent to), and DNS only at a local port where nothing
      // answers, so a trunk host name never becomes a query leaving the machine. Tests enable what they test.
      overrides: {
        dataDir, 'db.url': db.url, 'http.port': 0, 'sip.port': 0, 'sip.wsPort': 0, 'sip.tlsPort': 0, 'sip.wssPort': 0, 'log.level': process.env['HOTLINE_TEST_LOG'] || 'silent',
        'sip.trunkKeepaliveSeconds': 0, 'sip.trunkRegistration': 'false', 'sip.dnsServers': '127.0.0.1:9', ...opts.overrides,
      },
    });
    server = await startServer({ config, logger: opts.logger ?? createLogger(config.log.level), routes: opts.routes, sipBans: opts.sipBans, callTimers: opts.callTimers, rules: opts.rules });
  } catch (err) {
    await cleanup();
    throw err;
  }
  const adminToken = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  let n = 0;
  let stopped: Promise<void> | undefined;
  const ts: TestServer = {
    server,
    url: server.url,
    dataDir,
    dbUrl: db.url,
    adminToken,
    admin: clientOf(server.url, adminToken),
    async clientFor(role, name) {
      const userName = name ?? `${role}${++n}`;
      await ts.admin.users.create({ name: userName, role });
      const t = await ts.admin.tokens.create({ name: 'test', user: userName });
      return Object.assign(clientOf(ts.url, t.token), { token: t.token, user: userName });
    },
    async restart() {
      await ts.server.stop();
      ts.server = await startServer({ config, logger: opts.logger ?? createLogger(config.log.level), routes: opts.routes, sipBans: opts.sipBans, callTimers: opts.callTimers, rules: opts.rules });
      ts.url = ts.server.url;
      ts.admin = clientOf(ts.url, adminToken);
    },
    stop() {
      return (stopped ??= (async () => {
        try {
          await ts.server.stop();
        } finally {
          await cleanup();
        }
      })());
    },
  };
  return ts;
}

function challengeParam(challenge: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|[\\s,])${name}=(?:"([^"]*)"|([^,\\s]+))`, 'i').exec(challenge.replace(/^Digest\s+/i, ' '));
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * The Authorization value answering a Digest challenge (RFC 7616 §3.4.1, qop=auth), computed here from
 * the password with node:crypto, independently of the server's own digest code.
 */
export function digestAuthorization(challenge: string, method: string, uri: string, username: string, password: string): string {
  const algorithm = challengeParam(challenge, 'algorithm') ?? 'MD5';
  const realm = challengeParam(challenge, 'realm')!;
  const nonce = challengeParam(challenge, 'nonce')!;
  const opaque = challengeParam(challenge, 'opaque');
  const h = (s: string) => createHash(algorithm === 'SHA-256' ? 'sha256' : 'md5').update(s).digest('hex');
  const nc = '00000001';
  const cnonce = randomBytes(8).toString('hex');
  const response = h(`${h(`${username}:${realm}:${password}`)}:${nonce}:${nc}:${cnonce}:auth:${h(`${method}:${uri}`)}`);
  return `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}, ` +
    `qop=auth, nc=${nc}, cnonce="${cnonce}"${opaque === undefined ? '' : `, opaque="${opaque}"`}`;
}

export interface UdpRegister {
  port: number;
  user: string;
  password: string;
  contact: string;
  expires?: number;
  userAgent?: string;
  /** Local UDP port to send from (the binding's source); 0 or absent: any. */
  localPort?: number;
}

/** REGISTER `user` over UDP from 127.0.0.1, answering the SHA-256 challenge with `password`; the final status. */
export async function sipRegisterUdp(o: UdpRegister): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(o.localPort ?? 0, '127.0.0.1', () => r()));
  const answers: string[] = [];
  const waiting: Array<(s: string) => void> = [];
  sock.on('message', (d) => (waiting.length ? waiting.shift()!(d.toString()) : answers.push(d.toString())));
  const next = () => (answers.length ? Promise.resolve(answers.shift()!) : new Promise<string>((r) => waiting.push(r)));
  const callId = randomBytes(6).toString('hex');
  const send = async (cseq: number, auth?: string) => {
    const text = [
      'REGISTER sip:127.0.0.1 SIP/2.0', `Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      'Max-Forwards: 70', `From: <sip:${o.user}@127.0.0.1>;tag=1`, `To: <sip:${o.user}@127.0.0.1>`, `Call-ID: ${callId}`,
      `CSeq: ${cseq} REGISTER`, `Contact: ${o.contact}`, ...(o.expires !== undefined ? [`Expires: ${o.expires}`] : []),
      `User-Agent: ${o.userAgent ?? 'hotline-test'}`, ...(auth ? [`Authorization: ${auth}`] : []), 'Content-Length: 0', '', '',
    ].join('\r\n');
    await new Promise<void>((res, rej) => sock.send(text, o.port, '127.0.0.1', (e) => (e ? rej(e) : res())));
    return next();
  };
  try {
    const challenge = (await send(1)).split('\r\n').find((l) => /^WWW-Authenticate:/i.test(l) && l.includes('SHA-256'));
    if (!challenge) throw new Error('no SHA-256 challenge in the answer to REGISTER');
    const auth = digestAuthorization(challenge.replace(/^WWW-Authenticate:\s*/i, ''), 'REGISTER', 'sip:127.0.0.1', o.user, o.password);
    return Number(/^SIP\/2\.0 (\d+)/.exec(await send(2, auth))![1]);
  } finally {
    sock.close();
  }
}
