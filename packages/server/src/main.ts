import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Agents } from './acd/agents.js';
import { dispositionsCatalog, pauseReasonsCatalog, skillsCatalog } from './acd/catalogs.js';
import { Queues } from './acd/queues.js';
import { buildApi, type RouteRegistrar } from './api/app.js';
import { registerCenterRoutes } from './api/routes/center.js';
import type { AddressBan, BansPort, Listener, Services } from './api/services.js';
import { redactUrl, type Config } from './config/load.js';
import { SecretBox } from './crypto/secret-box.js';
import { openDatabase, type Database } from './db/datasource.js';
import { AgentRow } from './db/entities/index.js';
import { FileStore } from './db/files.js';
import { Writer } from './db/writer.js';
import { Conflict } from './errors.js';
import type { Store } from './events/changes.js';
import { EventLog } from './events/log.js';
import { createLogger } from './logger.js';
import { B2bua } from './calls/b2bua.js';
import type { CallSink } from './calls/call.js';
import type { CallTimerOptions } from './calls/call-timers.js';
import { CallRecords } from './calls/records.js';
import { CallRoutes } from './routing/call-routes.js';
import { Crm } from './crm/crm.js';
import { Kb } from './kb/kb.js';
import { TicketDesk } from './tickets/desk.js';
import { SlaJob } from './tickets/sla.js';
import { Retention, RetentionJob } from './crm/retention.js';
import { RuleEngine, type EngineOptions, type RuleActionPorts } from './workflow/engine.js';
import { Rules } from './workflow/rules.js';
import { Callbacks } from './workflow/callbacks.js';
import { CallbackScheduler } from './workflow/callback-scheduler.js';
import { Numbers } from './routing/numbers.js';
import { TrunkResolver } from './routing/trunk-dns.js';
import { TrunkRuntime } from './routing/trunk-runtime.js';
import { Trunks } from './routing/trunks.js';
import { bootstrap } from './security/bootstrap.js';
import { Tokens } from './security/tokens.js';
import { Users } from './security/users.js';
import { type BanEntry, FailureTracker, type FailureTrackerOptions, normalizeIp } from './sip/bans.js';
import { systemClock } from './sip/clock.js';
import { SipCore } from './sip/core.js';
import { egressPolicy, networksRule, registeredContactsRule } from './sip/egress.js';
import { DigestAuthenticator, type StoredHa1 } from './sip/digest-auth.js';
import { type Binding, type BindingSink, formatSource, Registrar, type UnregisterReason } from './sip/registrar.js';
import { SipListeners } from './sip/listeners.js';
import { loadTlsCredentials } from './sip/tls-credentials.js';
import { TransactionLayer } from './sip/transaction-layer.js';
import type { TransportName } from './sip/transaction-types.js';
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
  /** The workflow rule engine (workflow/engine.ts). */
  ruleEngine: RuleEngine;
  /** Dials due callbacks (workflow/callback-scheduler.ts); tests wait on its idle(). */
  callbackScheduler: CallbackScheduler;
  /** Drain: stop accepting, let in-flight requests finish (up to the grace period), close the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger?: Logger;
  routes?: RouteRegistrar[];
  /** Brute-force protection of SIP digest auth (tests lower the thresholds); not a setting. */
  sipBans?: FailureTrackerOptions;
  /** The B2BUA's timers (2xx retransmission, Timer C) and their clock (tests pass a FakeClock); not a setting. */
  callTimers?: CallTimerOptions;
  /** The workflow rule engine's clock, webhook backoff and loop depth (tests shorten them); not settings. The callback scheduler uses the same clock and wall time. */
  rules?: EngineOptions;
}

function buildServices(
  config: Config, db: Database, sip: () => SipListeners | undefined, http: () => FastifyInstance | undefined, registrar: () => Registrar | undefined,
  bans: () => BansPort | undefined, live: () => B2bua | undefined, now?: () => Date,
): Services {
  const store: Store = { ds: db.read, writer: new Writer(db.write), events: new EventLog(db.read) };
  // One content-addressed file store for KB and ticket attachments (privacy erasure deletes from it too).
  const files = new FileStore(join(config.dataDir, 'kb-files'));
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
    calls: new CallRecords(store),
    crm: new Crm(store, config.crm.defaultRegion, files),
    kb: new Kb(store, files),
    tickets: new TicketDesk(store, files),
    rules: new Rules(store, new SecretBox(join(config.dataDir, 'secret.key'))),
    callbacks: new Callbacks(store, config.crm.defaultRegion, now),
    liveCalls: {
      hangup: (id, reason) => live()?.hangup(id, reason) ?? null,
      originate: async (from, to) => {
        const b2bua = live();
        if (!b2bua) throw new Conflict('SIP is not running on this node');
        return b2bua.originate(from, to);
      },
    },
    version: VERSION,
    startedAt: new Date(),
    listeners: () => {
      const addr = http()?.server.address();
      const sipAddr = sip()?.addresses() ?? { udp: null, tcp: null, ws: null, tls: null, wss: null };
      return {
        http: addr && typeof addr === 'object' ? { host: addr.address, port: addr.port } : null,
        sipUdp: sipAddr.udp,
        sipTcp: sipAddr.tcp,
        sipWs: sipAddr.ws,
        sipTls: sipAddr.tls,
        sipWss: sipAddr.wss,
      };
    },
    registrations: {
      list: () =>
        (registrar()?.list() ?? []).map((r) => ({ ...r, expiresAt: new Date(r.expiresAt).toISOString(), registeredAt: new Date(r.registeredAt).toISOString() })),
    },
    bans: { list: () => bans()?.list() ?? [], unban: (address) => bans()?.unban(address) ?? null },
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

/** A ban as the API shows it: the tracker's monotonic `until` becomes a wall-clock ISO time (`offset`: wall - monotonic). */
function banView(b: BanEntry, offset: number): AddressBan {
  return { address: b.ip, until: new Date(Math.round(b.until + offset)).toISOString(), failures: b.failures };
}

/**
 * The FailureTracker with its API port; a new ban becomes a `security.banned` event through the writer
 * (SIP state, not an admin change: not audited; failures are logged, never thrown into SIP handling).
 */
function buildBans(store: Store, log: Logger, opts: FailureTrackerOptions = {}): { tracker: FailureTracker; port: BansPort } {
  const offset = Date.now() - (opts.clock ?? systemClock).now();
  const tracker = new FailureTracker({
    ...opts,
    onBan: (b) => {
      opts.onBan?.(b);
      const { until, failures } = banView(b, offset);
      store.writer
        .run((tx) => store.events.append(tx, { type: 'security.banned', subjectType: 'address', subjectId: b.ip, payload: { until, failures } }))
        .catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'ban event not recorded'));
    },
  });
  const port: BansPort = {
    list: () => tracker.list().map((b) => banView(b, offset)),
    unban: (address) => {
      const ban = tracker.list().find((b) => b.ip === normalizeIp(address));
      if (!ban) return null;
      tracker.unban(address);
      return banView(ban, offset);
    },
  };
  return { tracker, port };
}

interface SipStack {
  transport: SipTransport;
  b2bua: B2bua;
  registrar: Registrar;
  bans: BansPort;
  /** Trunk keepalive and outbound registration (routing/trunk-runtime.ts): started after the listeners bind. */
  trunks: TrunkRuntime;
  close(): void;
}

/** What the B2BUA needs from the composition root: the call sink and our bound addresses. */
interface CallsWiring {
  sink: CallSink;
  local: (transport: TransportName) => { host: string; port: number } | null;
  timers?: CallTimerOptions;
}

/**
 * The SIP stack: transport (parse, Via stamping, drop hook) -> transaction layer (real clock) -> core.
 * Egress (`mayEgress`) is allowed to registered contacts' sources (sip/egress.ts) and to trunks (their
 * outbound host and inbound networks, routing/call-routes.ts).
 * REGISTER goes to the registrar (credentials from the agents table, realm HOTLINE_SIP_REALM), whose
 * bindings become device events; INVITE and in-dialog requests to the B2BUA (calls/b2bua.ts), whose
 * steps become call records and events.
 */
function buildSipStack(
  log: Logger, config: Config, db: Database, store: Store, bansOptions?: FailureTrackerOptions, calls?: CallsWiring,
): SipStack {
  const { tracker: bans, port: bansPort } = buildBans(store, log, bansOptions);
  const auth = new DigestAuthenticator();
  const credentials = { lookup: (extension: string) => lookupCredentials(db, extension) };
  // Trunks and numbers for calls (routing/call-routes.ts); the same sealed-secret file as routing/trunks.ts.
  // Trunk host names resolve through DNS (routing/trunk-dns.ts, servers of sip.dnsServers); trunks the
  // keepalive sees down are skipped for outbound calls while another is usable.
  const resolver = new TrunkResolver({ servers: config.sip.dnsServers, log });
  const routes = new CallRoutes(db.read, new SecretBox(join(config.dataDir, 'secret.key')), {
    resolver, log, isDown: (name) => trunkRuntime.health.isDown(name),
  });
  // Trunks are read once and reloaded after trunk changes, not at every INVITE (call-routes.ts).
  const unwatchTrunks = routes.watch((fn) => store.events.subscribe(fn));
  const registrar = new Registrar({
    realm: config.sip.realm,
    credentials,
    auth,
    bans,
    sink: registrationEvents(store, log),
    log,
  });
  const b2bua: B2bua = new B2bua({
    layer: { sendRequest: (...a) => layer.sendRequest(...a), sendStateless: (...a) => layer.sendStateless(...a) },
    registrar, realm: config.sip.realm, auth, credentials, bans, server: `Hotline/${VERSION}`, log, maxCallsPerAgent: config.sip.maxCallsPerAgent,
    agents: { exists: async (extension) => (await db.read.manager.count(AgentRow, { where: { extension } })) > 0 },
    local: calls?.local ?? (() => null),
    trunks: routes,
    ...(calls ? { sink: calls.sink } : {}),
    ...(calls?.timers ? { timers: calls.timers } : {}),
  });
  const core: SipCore = new SipCore({
    version: VERSION, log, bans, registrar, calls: b2bua, findInvite: (cancel) => layer.findInviteFor(cancel),
  });
  const transport: SipTransport = new SipTransport({
    log,
    mayEgress: egressPolicy(
      registeredContactsRule(registrar), routes.egressRule(), networksRule(config.sip.egressNetworks),
    ),
    dropRequest: (request, source) => core.dropRequest(request, source),
    deliver: (message, source) => layer.receive(message, source),
  });
  const layer: TransactionLayer = new TransactionLayer({ send: (message, destination) => transport.send(message, destination), user: core });
  transport.onConnectionClosed((conn) => registrar.connectionClosed(conn.id));
  const trunkRuntime: TrunkRuntime = new TrunkRuntime({
    routes, layer, clock: systemClock, local: calls?.local ?? (() => null), store, log, userAgent: `Hotline/${VERSION}`,
    keepaliveMs: config.sip.trunkKeepaliveSeconds * 1000, register: config.sip.trunkRegistration,
  });
  return {
    transport,
    b2bua,
    registrar,
    bans: bansPort,
    trunks: trunkRuntime,
    close: () => {
      b2bua.close();
      registrar.close();
      transport.close();
      layer.close();
      resolver.close();
      unwatchTrunks();
    },
  };
}

/** The composition root: config -> database -> services -> API and SIP listeners. */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const { config } = opts;
  const log = opts.logger ?? createLogger(config.log.level);
  // Before anything opens or binds: an unreadable or malformed certificate is a ConfigInvalid.
  const tls = loadTlsCredentials(config.sip.tlsCert, config.sip.tlsKey);
  const db = await openDatabase(config.db.url, config.db.dialect);
  let app: FastifyInstance | undefined;
  const sipLog = log.child({ component: 'sip' });
  let stackRef: SipStack | undefined;
  let sipRef: SipListeners | undefined;
  const services = buildServices(config, db, () => sipRef, () => app, () => stackRef?.registrar, () => stackRef?.bans, () => stackRef?.b2bua, opts.rules?.now);
  const sipStack = (stackRef = buildSipStack(sipLog, config, db, services.store, opts.sipBans, {
    sink: services.calls.sink(sipLog),
    ...(opts.callTimers ? { timers: opts.callTimers } : {}),
    local: (transport) => {
      const a = sipRef?.addresses();
      return (a && transport !== 'sctp' ? a[transport] : null) ?? null;
    },
  }));
  const sip = (sipRef = new SipListeners({ ...config.sip, tls }, sipLog, sipStack.transport));
  sipStack.transport.attach(sip);
  services.trunks.status = (name) => sipStack.trunks.status(name);
  // SLA breach check every minute (tickets/sla.ts).
  const slaJob = new SlaJob(services.tickets.sla, systemClock, log.child({ component: 'sla' }));
  // Retention purge daily (crm/retention.ts; settings retention.*).
  const retentionJob = new RetentionJob(new Retention(services.store, config.retention, services.kb.files), systemClock, log.child({ component: 'retention' }));
  // Workflow rules act through the ticket and CRM services, as `rule:<name>` with full ticket rights.
  const rulePorts: RuleActionPorts = {
    createTicket: (tx, actor, input) => services.tickets.tickets.create(tx, actor, input as Parameters<typeof services.tickets.tickets.create>[2], true),
    updateTicket: (tx, actor, id, patch) => services.tickets.tickets.update(tx, actor, id, patch as Parameters<typeof services.tickets.tickets.update>[3], true),
    setTicketStatus: (tx, actor, id, status) => services.tickets.tickets.setStatus(tx, actor, id, status as Parameters<typeof services.tickets.tickets.setStatus>[3], true),
    assignTicket: (tx, actor, id, assignee) => services.tickets.tickets.assign(tx, actor, id, assignee, true),
    addCustomerNote: (tx, actor, customerId, text) => services.crm.notes.add(tx, actor, customerId, { text }),
    scheduleCallback: (tx, actor, input) => services.callbacks.create(tx, actor, input),
  };
  const ruleEngine = new RuleEngine(services.store, services.rules, rulePorts, log.child({ component: 'rules' }), opts.rules);
  // Due callbacks are dialled by click-to-call on this node (one node only: see callback-scheduler.ts).
  const callbackScheduler = new CallbackScheduler(
    services.store, services.callbacks, (agent, number) => services.liveCalls.originate(agent, number), log.child({ component: 'callbacks' }),
    opts.rules?.clock ? { clock: opts.rules.clock } : {},
  );
  try {
    const { tokenFile } = await bootstrap(services.store, services.users, services.tokens, config.dataDir);
    app = await buildApi(services, log, [registerCenterRoutes, ...(opts.routes ?? [])]);
    await app.listen({ host: config.http.host, port: config.http.port });
    await sip.start();
    sipStack.trunks.start();
    slaJob.start();
    retentionJob.start();
    ruleEngine.start();
    callbackScheduler.start();
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
        await callbackScheduler.stop(); // no new dialling; callbacks left dialing are retried at the next start
        await sipStack.trunks.stop(); // unREGISTER at carriers while the listeners still run
        sipStack.close();
        await Promise.all([app?.close(), sip.stop()]);
        clearTimeout(grace);
        await slaJob.stop();
        await retentionJob.stop();
        await ruleEngine.stop();
        await services.store.writer.idle();
        await db.close();
        log.info('hotline server stopped');
      })());
    return { config, services, url, tokenFile, listeners, ruleEngine, callbackScheduler, stop };
  } catch (err) {
    await slaJob.stop();
    await retentionJob.stop();
    await ruleEngine.stop();
    await callbackScheduler.stop();
    await sipStack.trunks.stop();
    sipStack.close();
    await Promise.allSettled([app?.close(), sip.stop()]);
    await db.close();
    throw err;
  }
}
