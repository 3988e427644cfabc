/**
 * The trunks' runtime on this node: OPTIONS keepalive (trunk-health.ts) and outbound registration
 * (trunk-registration.ts), fed with targets from the trunks table (call-routes.ts, hosts resolved by
 * trunk-dns.ts). Started by main.ts after the listeners bind, stopped before they close (unREGISTERs
 * first, then every timer cleared). Trunk changes (the bus's `trunk.created|updated|deleted`, published
 * after commit) and every keepalive round re-sync the registrations.
 *
 * State changes become events through the writer: `trunk.up`, `trunk.down`, `trunk.registered`,
 * `trunk.registration_failed` (subject `trunk`; runtime state, not admin changes: not audited; failures
 * are logged, never thrown into SIP handling). `status(name)` is what `GET /v1/trunks` shows.
 */
import type { Logger } from 'pino';
import type { Store } from '../events/changes.js';
import type { Clock } from '../sip/clock.js';
import type { TransactionLayer } from '../sip/transaction-layer.js';
import type { CallRoutes } from './call-routes.js';
import { TrunkHealth, TrunkState } from './trunk-health.js';
import { RegistrationState, TrunkRegistrations } from './trunk-registration.js';
import type { LocalAddress } from './trunk-requests.js';
import type { TrunkStatus } from './schemas.js';

export interface TrunkRuntimeOptions {
  routes: CallRoutes;
  layer: Pick<TransactionLayer, 'sendRequest'>;
  clock: Clock;
  local: LocalAddress;
  store: Store;
  log: Logger;
  userAgent: string;
  /** OPTIONS interval (setting `sip.trunkKeepaliveSeconds` in ms); 0 = off. */
  keepaliveMs: number;
  /** Outbound registration on (setting `sip.trunkRegistration`). */
  register: boolean;
  /** Retry timing of failed registrations (tests shorten it). */
  registrationRetryMs?: number;
}

const TRUNK_CHANGES = new Set(['trunk.created', 'trunk.updated', 'trunk.deleted']);

export class TrunkRuntime {
  readonly health: TrunkHealth;
  private readonly registrations: TrunkRegistrations;
  private unsubscribe?: () => void;
  private syncing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: TrunkRuntimeOptions) {
    const common = { layer: opts.layer, clock: opts.clock, local: opts.local, log: opts.log, userAgent: opts.userAgent };
    this.health = new TrunkHealth({
      ...common,
      intervalMs: opts.keepaliveMs,
      targets: async () => {
        const targets = await opts.routes.probeTargets();
        this.sync();
        return targets;
      },
      changed: (name, state, details) => this.event(state === TrunkState.Up ? 'trunk.up' : 'trunk.down', name, details),
    });
    this.registrations = new TrunkRegistrations({
      ...common,
      ...(opts.registrationRetryMs !== undefined ? { retryMs: opts.registrationRetryMs } : {}),
      changed: (name, state, details) => this.event(state === RegistrationState.Registered ? 'trunk.registered' : 'trunk.registration_failed', name, details),
    });
  }

  start(): void {
    this.unsubscribe = this.opts.store.events.subscribe((e) => {
      if (TRUNK_CHANGES.has(e.type)) this.sync();
    });
    this.health.start();
    this.sync();
  }

  /** Runtime status of a trunk (this node's view). */
  status(name: string): TrunkStatus {
    const h = this.health.view(name);
    const r = this.registrations.view(name);
    return {
      state: this.opts.keepaliveMs > 0 ? h.state : 'off',
      lastSeen: h.lastSeen?.toISOString() ?? null,
      registration: r.state,
      registrationExpires: r.expiresAt?.toISOString() ?? null,
    };
  }

  /** unREGISTER (waits for the answers, bounded), then clear every timer. */
  async stop(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.health.stop();
    await this.syncing;
    await this.registrations.stop();
  }

  /** Re-read the registration targets (serialized; errors logged). */
  private sync(): void {
    if (!this.opts.register || this.closed) return;
    this.syncing = this.syncing
      .then(async () => {
        const targets = await this.opts.routes.registrationTargets();
        if (!this.closed) this.registrations.sync(targets);
      })
      .catch((err: unknown) => this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'trunk registrations not synced'));
  }

  private event(type: string, name: string, payload: Record<string, unknown>): void {
    this.opts.store.writer
      .run((tx) => this.opts.store.events.append(tx, { type, subjectType: 'trunk', subjectId: name, payload }))
      .catch((err: unknown) => this.opts.log.warn({ err: err instanceof Error ? err.message : String(err), type }, 'trunk event not recorded'));
  }
}
