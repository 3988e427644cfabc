/**
 * OPTIONS keepalive to trunks (RFC 3261 §11: OPTIONS asks a peer's capabilities; any answer shows it is
 * there). Every `intervalMs` (setting `sip.trunkKeepaliveSeconds`, 0 = off) each enabled trunk's outbound
 * destination (host resolved, trunk-dns.ts) gets one OPTIONS through the transaction layer, unless the
 * previous one is still pending (Timer F, 64*T1 on UDP, can outlast the interval).
 *
 *   state    | event                                   | next
 *   ---------+-----------------------------------------+------
 *   unknown  | final response, not 503                 | up
 *   any      | final response, not 503                 | up     (event trunk.up when it was not up)
 *   any      | 503, timeout (408), transport error     | down   (event trunk.down when it was not down)
 *   any      | host not resolvable                     | down
 *
 * A 503 counts as down (§21.5.4: the peer is overloaded or in maintenance); every other final answer,
 * 404/405/401 included, proves the peer is reachable and answering SIP. Runtime state only (this node's
 * view, no table): trunks removed or disabled are forgotten. Time comes from the injected Clock.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../sip/clock.js';
import type { ClientEvent, TransportName } from '../sip/transaction-types.js';
import type { TransactionLayer } from '../sip/transaction-layer.js';
import type { TransportSource } from '../sip/transport-connections.js';
import { type LocalAddress, trunkRequest, trunkUri } from './trunk-requests.js';

export enum TrunkState {
  Unknown = 'unknown',
  Up = 'up',
  Down = 'down',
}

export enum HealthEvent {
  Answered = 'answered',
  Failed = 'failed',
}

/** The transition table above. */
const NEXT: Record<HealthEvent, TrunkState> = { [HealthEvent.Answered]: TrunkState.Up, [HealthEvent.Failed]: TrunkState.Down };

/** A trunk to probe: its outbound destination with the host resolved (null when it does not resolve). */
export interface ProbeTarget {
  name: string;
  host: string;
  port: number;
  transport: TransportName;
  destination: TransportSource | null;
}

export interface TrunkHealthView {
  state: TrunkState;
  /** When the trunk last answered (wall clock), or null. */
  lastSeen: Date | null;
  /** Status of the last answer (408/503 for local timeouts and transport errors), or null. */
  lastStatus: number | null;
}

export interface TrunkHealthOptions {
  layer: Pick<TransactionLayer, 'sendRequest'>;
  clock: Clock;
  intervalMs: number;
  targets: () => Promise<ProbeTarget[]>;
  local: LocalAddress;
  /** A trunk changed state (trunk.up / trunk.down). */
  changed: (name: string, state: TrunkState.Up | TrunkState.Down, details: { status: number | null; reason: string }) => void;
  log: Logger;
  /** User-Agent header value. */
  userAgent: string;
}

interface Entry extends TrunkHealthView {
  pending: boolean;
}

export class TrunkHealth {
  private readonly trunks = new Map<string, Entry>();
  private timer?: TimerHandle;
  private closed = false;
  private round?: Promise<void>;

  constructor(private readonly opts: TrunkHealthOptions) {}

  /** The first round at once, then one every interval. */
  start(): void {
    if (this.opts.intervalMs <= 0) return;
    this.schedule(0);
  }

  /** This node's view of a trunk; `unknown` before its first probe (and always when keepalive is off). */
  view(name: string): TrunkHealthView {
    const e = this.trunks.get(name);
    return e ? { state: e.state, lastSeen: e.lastSeen, lastStatus: e.lastStatus } : { state: TrunkState.Unknown, lastSeen: null, lastStatus: null };
  }

  /** Whether a trunk is known to be down (outbound calls prefer others). */
  isDown(name: string): boolean {
    return this.trunks.get(name)?.state === TrunkState.Down;
  }

  /** Probe every enabled trunk now (a round; also what the timer runs). */
  probeAll(): Promise<void> {
    this.round ??= this.runRound().finally(() => (this.round = undefined));
    return this.round;
  }

  stop(): void {
    this.closed = true;
    if (this.timer) this.opts.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = this.opts.clock.setTimer(ms, () => {
      this.timer = undefined;
      this.probeAll()
        .catch((err: unknown) => this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'trunk keepalive round failed'))
        .finally(() => this.schedule(this.opts.intervalMs));
    });
  }

  private async runRound(): Promise<void> {
    const targets = await this.opts.targets();
    if (this.closed) return;
    const names = new Set(targets.map((t) => t.name));
    for (const name of this.trunks.keys()) if (!names.has(name)) this.trunks.delete(name);
    for (const target of targets) this.probe(target);
  }

  private entry(name: string): Entry {
    let e = this.trunks.get(name);
    if (!e) this.trunks.set(name, (e = { state: TrunkState.Unknown, lastSeen: null, lastStatus: null, pending: false }));
    return e;
  }

  private probe(target: ProbeTarget): void {
    const e = this.entry(target.name);
    if (e.pending) return;
    if (!target.destination) return this.apply(target.name, HealthEvent.Failed, null, 'host not resolved');
    const uri = trunkUri(target);
    const request = trunkRequest({
      method: 'OPTIONS', uri, from: `<sip:hotline@${this.opts.local(target.transport)?.host ?? 'hotline.invalid'}>`, to: `<${uri}>`, cseq: 1,
      headers: [['Accept', 'application/sdp'], ['User-Agent', this.opts.userAgent]],
    }, target, this.opts.local);
    e.pending = true;
    try {
      this.opts.layer.sendRequest(request, target.destination, (event) => this.answered(target.name, event));
    } catch (err) {
      e.pending = false;
      this.apply(target.name, HealthEvent.Failed, 503, err instanceof Error ? err.message : String(err));
    }
  }

  private answered(name: string, event: ClientEvent): void {
    if (event.type === 'terminated' || this.closed) return;
    const status = event.response.status;
    if (status < 200) return;
    const e = this.trunks.get(name);
    if (e) e.pending = false;
    if (event.type === 'response' && status !== 503) this.apply(name, HealthEvent.Answered, status, event.response.reason);
    else this.apply(name, HealthEvent.Failed, status, event.type === 'response' ? event.response.reason : event.type);
  }

  private apply(name: string, event: HealthEvent, status: number | null, reason: string): void {
    const e = this.trunks.get(name);
    if (!e || this.closed) return;
    const next = NEXT[event];
    e.lastStatus = status;
    if (event === HealthEvent.Answered) e.lastSeen = new Date();
    if (e.state === next) return;
    e.state = next;
    this.opts.log.info({ trunk: name, state: next, status, reason }, next === TrunkState.Up ? 'trunk up' : 'trunk down');
    this.opts.changed(name, next as TrunkState.Up | TrunkState.Down, { status, reason });
  }
}
