import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Agents } from './acd/agents.js';
import { dispositionsCatalog, pauseReasonsCatalog, skillsCatalog } from './acd/catalogs.js';
import { Queues } from './acd/queues.js';
import { buildApi, type RouteRegistrar } from './api/app.js';
import { registerCenterRoutes } from './api/routes/center.js';
import type { Listener, Services } from './api/services.js';
import { redactUrl, type Config } from './config/load.js';
import { SecretBox } from './crypto/secret-box.js';
import { openDatabase, type Database } from './db/datasource.js';
import { AgentRow } from './db/entities/index.js';
import { Writer } from './db/writer.js';
import type { Store } from './events/changes.js';
import { EventLog } from './events/log.js';
import { createLogger } from './logger.js';
import { Numbers } from './routing/numbers.js';
import { Trunks } from './routing/trunks.js';
import { bootstrap } from './security/bootstrap.js';
import { Tokens } from './security/tokens.js';
import { Users } from './security/users.js';
import { FailureTracker, type FailureTrackerOptions } from './sip/bans.js';
import { SipCore } from './sip/core.js';
import { DigestAuthenticator, type StoredHa1 } from './sip/digest-auth.js';
import { type Binding, type BindingSink, formatSource, Registrar, type UnregisterReason } from './sip/registrar.js';
import { SipListeners } from './sip/listeners.js';
import { TransactionLayer } from './sip/transaction-layer.js';
import { SipTransport } from './sip/transport.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface RunningServer {
  config: Config;
  services: Services;
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Path of admin.token when this start created the first admin, else null. */
  tokenFile: string | null;
  listeners: Record<string, Listener | null>;
  /** Drain: stop accepting, let in-flight requests finish (up to the grace period), close the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger?: Logger;
  routes?: RouteRegistrar[];
  /** Brute-force protection of SIP digest auth (tests lower the thresholds); not a setting. */
  sipBans?: FailureTrackerOptions;
}

function buildServices(
  config: Config, db: Database, sip: () => SipListeners | undefined, http: () => FastifyInstance | undefined, registrar: () => Registrar | undefined,
): Services {
  const store: Store = { ds: db.read, writer: new Writer(db.write), events: new EventLog(db.read) };
  return {
    config,
    store,
    agents: new Agents(store, config.sip.realm),
    queues: new Queues(store),
    skills: skillsCatalog(store),
    pauseReasons: pauseReasonsCatalog(store),
    dispositions: dispositionsCatalog(store),
    trunks: new Trunks(store, config.sip.realm, new SecretBox(join(config.dataDir, 'secret.key'))),
    numbers: new Numbers(store),
    users: new Users(store),
    tokens: new Tokens(store),
    version: VERSION,
    startedAt: new Date(),
    listeners: () => {
      const addr = http()?.server.address();
      const sipAddr = sip()?.addresses() ?? { udp: null, tcp: null, ws: null };
      return {
        http: addr && typeof addr === 'object' ? { host: addr.address, port: addr.port } : null,
        sipUdp: sipAddr.udp,
        sipTcp: sipAddr.tcp,
        sipWs: sipAddr.ws,
      };
    },
    registrations: {
      list: () =>
        (registrar()?.list() ?? []).map((r) => ({ ...r, expiresAt: new Date(r.expiresAt).toISOString(), registeredAt: new Date(r.registeredAt).toISOString() })),
    },
  };
}

/** The digest HA1s of an extension from the agents table; null when unknown or without SIP credentials. */
async function lookupCredentials(db: Database, extension: string): Promise<StoredHa1 | null> {
  const row = await db.read.manager.findOne(AgentRow, { where: { extension }, select: { sipHa1Md5: true, sipHa1Sha256: true } });
  if (!row || (!row.sipHa1Md5 && !row.sipHa1Sha256)) return null;
  return { md5: row.sipHa1Md5, sha256: row.sipHa1Sha256 };
}

/**
 * Registrations become events (`device.registered` / `device.unregistered`) through the writer. They
 * are device state, not admin changes, so they are not audited. Failures are logged, never thrown into
 * SIP handling.
 */
function registrationEvents(store: Store, log: Logger): BindingSink {
  const append = (type: string, b: Binding, reason?: UnregisterReason) => {
    const payload: Record<string, unknown> = {
      contact: b.contact, source: formatSource(b.source), transport: b.source.transport,
      expires: b.expires, userAgent: b.userAgent, ...(reason ? { reason } : {}),
    };
    store.writer
      .run((tx) => store.events.append(tx, { type, subjectType: 'device', subjectId: `${b.aor}/${b.contact}`, agentId: b.aor, payload }))
      .catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err), type }, 'registration event not recorded'));
  };
  return { registered: (b) => append('device.registered', b), unregistered: (b, reason) => append('device.unregistered', b, reason) };
}

interface SipStack {
  transport: SipTransport;
  registrar: Registrar;
  close(): void;
}

/**
 * The SIP stack: transport (parse, Via stamping, drop hook) -> transaction layer (real clock) -> core.
 * No egress allow-list exists yet, so `mayEgress` denies everything: the server only answers sources.
 * REGISTER goes to the registrar (credentials from the agents table, realm HOTLINE_SIP_REALM), whose
 * bindings become device events.
 */
function buildSipStack(log: Logger, config: Config, db: Database, store: Store, bansOptions?: FailureTrackerOptions): SipStack {
  const bans = new FailureTracker(bansOptions);
  const registrar = new Registrar({
    realm: config.sip.realm,
    credentials: { lookup: (extension) => lookupCredentials(db, extension) },
    auth: new DigestAuthenticator(),
    bans,
    sink: registrationEvents(store, log),
    log,
  });
  const core: SipCore = new SipCore({ version: VERSION, log, bans, registrar, findInvite: (cancel) => layer.findInviteFor(cancel) });
  const transport: SipTransport = new SipTransport({
    log,
    mayEgress: () => false,
    dropRequest: (request, source) => core.dropRequest(request, source),
    deliver: (message, source) => layer.receive(message, source),
  });
  const layer: TransactionLayer = new TransactionLayer({ send: (message, destination) => transport.send(message, destination), user: core });
  transport.onConnectionClosed((conn) => registrar.connectionClosed(conn.id));
  return {
    transport,
    registrar,
    close: () => {
      registrar.close();
      transport.close();
      layer.close();
    },
  };
}

/** The composition root: config -> database -> services -> API and SIP listeners. */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const { config } = opts;
  const log = opts.logger ?? createLogger(config.log.level);
  const db = await openDatabase(config.db.url, config.db.dialect);
  let app: FastifyInstance | undefined;
  const sipLog = log.child({ component: 'sip' });
  let stackRef: SipStack | undefined;
  let sipRef: SipListeners | undefined;
  const services = buildServices(config, db, () => sipRef, () => app, () => stackRef?.registrar);
  const sipStack = (stackRef = buildSipStack(sipLog, config, db, services.store, opts.sipBans));
  const sip = (sipRef = new SipListeners(config.sip, sipLog, sipStack.transport));
  sipStack.transport.attach(sip);
  try {
    const { tokenFile } = await bootstrap(services.store, services.users, services.tokens, config.dataDir);
    app = await buildApi(services, log, [registerCenterRoutes, ...(opts.routes ?? [])]);
    await app.listen({ host: config.http.host, port: config.http.port });
    await sip.start();
    const listeners = services.listeners();
    const http = listeners['http']!;
    const url = `http://${http.host.includes(':') ? `[${http.host}]` : http.host}:${http.port}`;
    log.info({ http: url, sip: listeners, db: redactUrl(config.db.url), dataDir: config.dataDir }, 'hotline server ready');
    if (tokenFile) log.info({ tokenFile }, 'first start: admin token written (mode 0600)');
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        const grace = setTimeout(() => app?.server.closeAllConnections(), config.shutdown.graceMs);
        grace.unref();
        for (const client of app?.websocketServer?.clients ?? []) client.close(1001, 'server shutting down');
        sipStack.close();
        await Promise.all([app?.close(), sip.stop()]);
        clearTimeout(grace);
        await services.store.writer.idle();
        await db.close();
        log.info('hotline server stopped');
      })());
    return { config, services, url, tokenFile, listeners, stop };
  } catch (err) {
    sipStack.close();
    await Promise.allSettled([app?.close(), sip.stop()]);
    await db.close();
    throw err;
  }
}
