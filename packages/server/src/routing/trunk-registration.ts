/**
 * Outbound registration at carriers (RFC 3261 §10.2): every enabled trunk with `register: true` and
 * outbound credentials REGISTERs `sip:<username>@<host>` (To and From) with our Contact
 * (`<sip:<username>@<bound address>;transport=...>`) at `sip:<host>:<port>`, one Call-ID per trunk and an
 * increasing CSeq (§10.2.4). One state machine per trunk:
 *
 *   state        | event                         | next          | action
 *   -------------+-------------------------------+---------------+-------------------------------------------
 *   off          | start                         | registering   | REGISTER (Expires: 3600)
 *   registering  | 401/407, not yet answered     | registering   | the REGISTER again with digest (sip/auth-client.ts)
 *   registering  | 423 with Min-Expires          | registering   | the REGISTER again asking for Min-Expires
 *   registering  | 2xx                           | registered    | refresh timer at 90% of the granted expires;
 *                |                               |               | event trunk.registered (when it was not registered)
 *   registering  | other final, timeout, error   | failed        | retry after a backoff (doubling, capped);
 *                |                               |               | event trunk.registration_failed (when it was not failed)
 *   registered   | refresh due                   | registered    | REGISTER (a refresh; its failure is a failure)
 *   failed       | retry due                     | registering   | REGISTER
 *   any          | stop (disabled, removed,      | off           | REGISTER with Expires: 0 when registered
 *                | shutdown, settings changed)   |               | (§10.2.2), challenge answered once
 *
 * The granted expires is the `expires` of our Contact in the 2xx, else its Expires header, else what we
 * asked for (§10.2.4). Time comes from the injected Clock. Runtime state only (this node).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { authorizedRequest, type ClientCredentials } from '../sip/auth-client.js';
import type { Clock, TimerHandle } from '../sip/clock.js';
import { getHeader, getHeaders, type SipRequest, type SipResponse } from '../sip/message.js';
import type { ClientEvent, TransportName } from '../sip/transaction-types.js';
import type { TransactionLayer } from '../sip/transaction-layer.js';
import type { TransportSource } from '../sip/transport-connections.js';
import { type LocalAddress, localHostPort, trunkRequest } from './trunk-requests.js';

export enum RegistrationState {
  Off = 'off',
  Registering = 'registering',
  Registered = 'registered',
  Failed = 'failed',
}

/** A trunk that should be registered, as the routes give it (host resolved; null when it does not resolve). */
export interface RegistrationTarget {
  name: string;
  host: string;
  port: number;
  transport: TransportName;
  destination: TransportSource | null;
  credentials: ClientCredentials;
}

export interface RegistrationView {
  state: RegistrationState;
  /** When the granted registration runs out (wall clock), while registered. */
  expiresAt: Date | null;
  /** Status of the last final answer (408/503 for local timeouts and errors), or null. */
  lastStatus: number | null;
}

export interface TrunkRegistrationsOptions {
  layer: Pick<TransactionLayer, 'sendRequest'>;
  clock: Clock;
  local: LocalAddress;
  log: Logger;
  userAgent: string;
  /** trunk.registered / trunk.registration_failed. */
  changed: (name: string, state: RegistrationState.Registered | RegistrationState.Failed, details: Record<string, unknown>) => void;
  /** Expires asked for (default 3600 s). */
  expires?: number;
  /** First retry after a failure (default 30 s), doubled per failure up to `maxRetryMs` (default 10 min). */
  retryMs?: number;
  maxRetryMs?: number;
}

interface Registration extends RegistrationView {
  target: RegistrationTarget;
  /** What the registration was made for: a change restarts it. */
  signature: string;
  callId: string;
  cseq: number;
  fromTag: string;
  timer?: TimerHandle;
  failures: number;
  /** The live attempt: ignore answers of older ones. */
  attempt: number;
  askExpires: number;
  /** The last event reported (trunk.registered / trunk.registration_failed): each is sent once per change. */
  reported: RegistrationState.Registered | RegistrationState.Failed | null;
}

const REFRESH_AT = 0.9;

const signatureOf = (t: RegistrationTarget) =>
  JSON.stringify([t.host, t.port, t.transport, t.destination?.address ?? null, t.credentials.username, t.credentials.password]);

export class TrunkRegistrations {
  private readonly regs = new Map<string, Registration>();
  private closed = false;

  constructor(private readonly opts: TrunkRegistrationsOptions) {}

  view(name: string): RegistrationView {
    const r = this.regs.get(name);
    return r ? { state: r.state, expiresAt: r.expiresAt, lastStatus: r.lastStatus } : { state: RegistrationState.Off, expiresAt: null, lastStatus: null };
  }

  /** Bring the registrations in line with `targets`: start new ones, restart changed ones, end the rest. */
  sync(targets: RegistrationTarget[]): void {
    if (this.closed) return;
    const wanted = new Map(targets.map((t) => [t.name, t]));
    for (const [name, reg] of this.regs) {
      const t = wanted.get(name);
      if (t && signatureOf(t) === reg.signature && t.destination) continue;
      if (t && !t.destination && reg.state === RegistrationState.Failed && reg.target.host === t.host) continue; // still unresolvable: keep retrying
      void this.end(reg); // never rejects; the unREGISTER's answer is only logged
    }
    for (const t of targets) if (!this.regs.has(t.name)) this.begin(t);
  }

  /** Shutdown: unREGISTER every registered trunk and wait for the answers (at most `graceMs`). */
  async stop(graceMs = 2000): Promise<void> {
    this.closed = true;
    const pending = [...this.regs.values()].map((r) => this.end(r));
    if (pending.length === 0) return;
    let timer: TimerHandle | undefined;
    await Promise.race([
      Promise.all(pending),
      new Promise<void>((resolve) => (timer = this.opts.clock.setTimer(graceMs, resolve))),
    ]);
    if (timer) this.opts.clock.clearTimer(timer);
  }

  private begin(target: RegistrationTarget): void {
    const reg: Registration = {
      target, signature: signatureOf(target), callId: randomUUID(), cseq: 0, fromTag: randomUUID().slice(0, 8), failures: 0, attempt: 0,
      state: RegistrationState.Off, expiresAt: null, lastStatus: null, askExpires: this.opts.expires ?? 3600, reported: null,
    };
    this.regs.set(target.name, reg);
    this.register(reg);
  }

  private register(reg: Registration): void {
    this.clearTimer(reg);
    // A refresh keeps showing `registered` until it fails (the binding at the carrier is still valid).
    if (reg.expiresAt === null) reg.state = RegistrationState.Registering;
    const attempt = ++reg.attempt;
    const dest = reg.target.destination;
    if (!dest) return this.failed(reg, null, 'host not resolved');
    this.send(reg, this.request(reg, reg.askExpires), dest, (res) => {
      if (attempt !== reg.attempt || this.closed) return;
      if (res.status >= 200 && res.status < 300) return this.registered(reg, res);
      if (res.status === 423) {
        const min = Number(getHeader(res, 'Min-Expires'));
        if (Number.isInteger(min) && min > reg.askExpires) {
          reg.askExpires = min;
          return this.register(reg);
        }
      }
      this.failed(reg, res.status, res.reason);
    });
  }

  /** One REGISTER with its 401/407 answered once; `done` gets the final answer (a local 408/503 too). */
  private send(reg: Registration, request: SipRequest, dest: TransportSource, done: (res: SipResponse) => void, authorized = false): void {
    try {
      this.opts.layer.sendRequest(request, dest, (event: ClientEvent) => {
        if (event.type === 'terminated' || event.response.status < 200) return;
        const res = event.response;
        if ((res.status === 401 || res.status === 407) && !authorized) {
          const again = authorizedRequest(request, res, reg.target.credentials);
          if (again) {
            reg.cseq += 1;
            return this.send(reg, again, dest, done, true);
          }
        }
        done(res);
      });
    } catch (err) {
      done({ kind: 'response', status: 503, reason: err instanceof Error ? err.message : String(err), version: 'SIP/2.0', headers: [], body: Buffer.alloc(0) });
    }
  }

  private request(reg: Registration, expires: number): SipRequest {
    const t = reg.target;
    const user = t.credentials.username;
    const aor = `<sip:${user}@${t.host.includes(':') && !t.host.startsWith('[') ? `[${t.host}]` : t.host}>`;
    const registrar = `sip:${t.host.includes(':') && !t.host.startsWith('[') ? `[${t.host}]` : t.host}:${t.port}${t.transport === 'udp' ? '' : `;transport=${t.transport}`}`;
    reg.cseq += 1;
    return trunkRequest({
      method: 'REGISTER', uri: registrar, from: `${aor};tag=${reg.fromTag}`, to: aor, callId: reg.callId, cseq: reg.cseq,
      headers: [
        ['Contact', `<sip:${user}@${localHostPort(this.opts.local, t.transport)};transport=${t.transport}>`],
        ['Expires', String(expires)],
        ['User-Agent', this.opts.userAgent],
      ],
    }, t, this.opts.local);
  }

  private registered(reg: Registration, res: SipResponse): void {
    const granted = grantedExpires(res, reg.target.credentials.username) ?? reg.askExpires;
    reg.failures = 0;
    reg.lastStatus = res.status;
    if (granted <= 0) return this.failed(reg, res.status, 'registration not kept (expires 0)');
    reg.state = RegistrationState.Registered;
    reg.expiresAt = new Date(Date.now() + granted * 1000);
    reg.timer = this.opts.clock.setTimer(granted * 1000 * REFRESH_AT, () => this.register(reg));
    this.opts.log.debug({ trunk: reg.target.name, expires: granted }, 'trunk registration accepted');
    // A refresh goes through Registering: report only the first success after a start or a failure.
    if (reg.reported !== RegistrationState.Registered) {
      reg.reported = RegistrationState.Registered;
      this.opts.log.info({ trunk: reg.target.name, expires: granted }, 'trunk registered');
      this.opts.changed(reg.target.name, RegistrationState.Registered, { expires: granted, status: res.status });
    }
  }

  private failed(reg: Registration, status: number | null, reason: string): void {
    reg.lastStatus = status;
    reg.expiresAt = null;
    reg.failures += 1;
    const delay = Math.min(this.opts.maxRetryMs ?? 600_000, (this.opts.retryMs ?? 30_000) * 2 ** (reg.failures - 1));
    reg.state = RegistrationState.Failed;
    this.opts.log.warn({ trunk: reg.target.name, status, reason, retryInMs: delay }, 'trunk registration failed');
    if (reg.reported !== RegistrationState.Failed) {
      reg.reported = RegistrationState.Failed;
      this.opts.changed(reg.target.name, RegistrationState.Failed, { status, reason, retryInSeconds: Math.round(delay / 1000) });
    }
    reg.timer = this.opts.clock.setTimer(delay, () => this.register(reg));
  }

  /** Stop a registration; unREGISTER (§10.2.2) when it is registered. Resolves when that is answered. */
  private end(reg: Registration): Promise<void> {
    this.clearTimer(reg);
    this.regs.delete(reg.target.name);
    reg.attempt += 1;
    const wasRegistered = reg.expiresAt !== null;
    reg.state = RegistrationState.Off;
    reg.expiresAt = null;
    const dest = reg.target.destination;
    if (!wasRegistered || !dest) return Promise.resolve();
    return new Promise((resolve) => this.send(reg, this.request(reg, 0), dest, (res) => {
      this.opts.log.info({ trunk: reg.target.name, status: res.status }, 'trunk unregistered');
      resolve();
    }));
  }

  private clearTimer(reg: Registration): void {
    if (reg.timer) this.opts.clock.clearTimer(reg.timer);
    reg.timer = undefined;
  }
}

/** §10.2.4: the expires of our Contact (the one with our user), else the Expires header; undefined when absent. */
export function grantedExpires(res: SipResponse, user: string): number | undefined {
  for (const value of getHeaders(res, 'Contact')) {
    for (const contact of value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
      if (!contact.includes(`sip:${user}@`)) continue;
      const m = /;\s*expires\s*=\s*(\d+)/i.exec(contact.slice(contact.indexOf('>') + 1));
      if (m) return Number(m[1]);
    }
  }
  const header = getHeader(res, 'Expires');
  return header !== undefined && /^\d+$/.test(header.trim()) ? Number(header.trim()) : undefined;
}
