import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Agents } from './acd/agents.js';
import { dispositionsCatalog, pauseReasonsCatalog, skillsCatalog } from './acd/catalogs.js';
import { Queues } from './acd/queues.js';
import { buildApi, type RouteRegistrar } from './api/app.js';
import { registerCenterRoutes } from './api/routes/center.js';
import type { Listener, Services } from './api/services.js';
import { redactUrl, type Config } from './config/load.js';
import { openDatabase, type Database } from './db/datasource.js';
import { Writer } from './db/writer.js';
import type { Store } from './events/changes.js';
import { EventLog } from './events/log.js';
import { createLogger } from './logger.js';
import { bootstrap } from './security/bootstrap.js';
import { Tokens } from './security/tokens.js';
import { Users } from './security/users.js';
import { FailureTracker } from './sip/bans.js';
import { SipCore } from './sip/core.js';
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
}

function buildServices(config: Config, db: Database, sip: SipListeners, http: () => FastifyInstance | undefined): Services {
  const store: Store = { ds: db.read, writer: new Writer(db.write), events: new EventLog(db.read) };
  return {
    config,
    store,
    agents: new Agents(store, config.sip.realm),
    queues: new Queues(store),
    skills: skillsCatalog(store),
    pauseReasons: pauseReasonsCatalog(store),
    dispositions: dispositionsCatalog(store),
    users: new Users(store),
    tokens: new Tokens(store),
    version: VERSION,
    startedAt: new Date(),
    listeners: () => {
      const addr = http()?.server.address();
      const sipAddr = sip.addresses();
      return {
        http: addr && typeof addr === 'object' ? { host: addr.address, port: addr.port } : null,
        sipUdp: sipAddr.udp,
        sipTcp: sipAddr.tcp,
        sipWs: sipAddr.ws,
      };
    },
  };
}

/**
 * The SIP stack: transport (parse, Via stamping, drop hook) -> transaction layer (real clock) -> core.
 * No egress allow-list exists yet, so `mayEgress` denies everything: the server only answers sources.
 */
function buildSipStack(log: Logger): { transport: SipTransport; close(): void } {
  const bans = new FailureTracker();
  const core: SipCore = new SipCore({ version: VERSION, log, bans, findInvite: (cancel) => layer.findInviteFor(cancel) });
  const transport: SipTransport = new SipTransport({
    log,
    mayEgress: () => false,
    dropRequest: (request, source) => core.dropRequest(request, source),
    deliver: (message, source) => layer.receive(message, source),
  });
  const layer: TransactionLayer = new TransactionLayer({ send: (message, destination) => transport.send(message, destination), user: core });
  return {
    transport,
    close: () => {
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
  const sipStack = buildSipStack(sipLog);
  const sip = new SipListeners(config.sip, sipLog, sipStack.transport);
  sipStack.transport.attach(sip);
  const services = buildServices(config, db, sip, () => app);
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
