/**
 * The typed client of the Hotline API, exported as `@hotline/server/client`. The CLI and the TUI talk
 * to the server only through this. Types come from the server's own schemas (type-only imports).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type {
  Agent, AgentInput, AgentPatch, AgentWithSecret, Disposition, DispositionInput, DispositionPatch, Member, MemberInput,
  PauseReason, PauseReasonInput, PauseReasonPatch, Queue, QueueInput, QueuePatch, Skill, SkillInput, SkillPatch,
} from '../acd/schemas.js';
import type { AddressBan, Registration } from '../api/services.js';
import type { CallInfo } from '../calls/call.js';
import type { CenterFile, Plan } from '../center/schema.js';
import type { HotlineEvent } from '../events/log.js';
import type { DialNumber, DialNumberInput, DialNumberPatch, Trunk, TrunkInput, TrunkPatch } from '../routing/schemas.js';
import type { AuditEntry, NewToken, Token, TokenInput, User, UserInput, UserPatch } from '../security/schemas.js';
import { CallbacksClient } from './callbacks.js';
import { CustomerFieldsClient, CustomersClient } from './customers.js';
import { KbClient } from './kb.js';
import { RulesClient } from './rules.js';
import { CalendarsClient, SlaPoliciesClient, TicketsClient } from './tickets.js';

export type {
  Agent, AgentInput, AgentPatch, AgentWithSecret, AuditEntry, CenterFile, Disposition, DispositionInput, DispositionPatch, HotlineEvent,
  Member, MemberInput, NewToken, PauseReason, PauseReasonInput, PauseReasonPatch, Plan, Queue, QueueInput, QueuePatch, Registration, Skill,
  SkillInput, SkillPatch, Token, TokenInput, User, UserInput, UserPatch,
};
export type { DialNumber, DialNumberInput, DialNumberPatch, Trunk, TrunkInput, TrunkPatch };
export type { AddressBan };
export * from './callbacks.js';
export * from './customers.js';
export * from './kb.js';
export * from './rules.js';
export * from './tickets.js';
export type { CallInfo };

export interface ErrorDetail {
  path: string;
  message: string;
}

/** The server answered with an error: `{code, message, details}` and an HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The server could not be reached at all (refused, DNS, timeout). */
export class ConnectionError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach the Hotline server at ${url}: ${reason}`);
    this.name = 'ConnectionError';
  }
}

export interface ClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  token?: string;
  timeoutMs?: number;
}

export interface Listener {
  host: string;
  port: number;
}

export interface ServerStatus {
  version: string;
  node: string;
  startedAt: string;
  uptimeSeconds: number;
  dataDir: string;
  db: { dialect: string; url: string };
  listeners: Record<string, Listener | null>;
  events: { cursor: number };
}

export interface Me {
  user: User;
  token: string;
  agent: Agent | null;
}

export interface EventPage {
  events: HotlineEvent[];
  next: number;
}

export interface StreamOptions {
  after?: number;
  types?: string[];
  signal?: AbortSignal;
  onEvent(e: HotlineEvent): void;
  /** Called once replay caught up with the live stream. */
  onLive?(cursor: number): void;
}

type Query = Record<string, string | number | boolean | undefined>;

function queryString(q: Query | undefined): string {
  const entries = Object.entries(q ?? {}).filter(([, v]) => v !== undefined) as Array<[string, string | number | boolean]>;
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
}

const enc = encodeURIComponent;

/**
 * One HTTP exchange over node:http(s). Not fetch: its first use loads undici, ~40 ms that every CLI
 * command would pay. `timeoutMs` bounds each wait for the server (connect, answer, next chunk).
 */
function exchange(url: string, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const h = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = send(url, { method, headers: h, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

/** CRUD client for one collection keyed by a name, code or extension. */
class Collection<Dto, Input, Patch, Created = Dto> {
  constructor(
    protected readonly c: HotlineClient,
    protected readonly path: string,
  ) {}
  list(): Promise<Dto[]> {
    return this.c.request('GET', this.path);
  }
  get(key: string): Promise<Dto> {
    return this.c.request('GET', `${this.path}/${enc(key)}`);
  }
  create(input: Input): Promise<Created> {
    return this.c.request('POST', this.path, input);
  }
  update(key: string, patch: Patch): Promise<Created> {
    return this.c.request('PATCH', `${this.path}/${enc(key)}`, patch);
  }
  delete(key: string): Promise<void> {
    return this.c.request('DELETE', `${this.path}/${enc(key)}`);
  }
}

class QueueCollection extends Collection<Queue, QueueInput, QueuePatch> {
  members = {
    list: (queue: string): Promise<Member[]> => this.c.request('GET', `${this.path}/${enc(queue)}/members`),
    add: (queue: string, m: MemberInput): Promise<Member> => this.c.request('POST', `${this.path}/${enc(queue)}/members`, m),
    remove: (queue: string, extension: string): Promise<void> => this.c.request('DELETE', `${this.path}/${enc(queue)}/members/${enc(extension)}`),
  };
}

export class HotlineClient {
  readonly url: string;
  /** A true private field: not part of the type (so `client & {token}` works) and never shown by inspect or JSON. */
  readonly #token?: string;
  private readonly timeoutMs: number;

  readonly agents: Collection<Agent, AgentInput, AgentPatch, AgentWithSecret>;
  readonly queues: QueueCollection;
  readonly skills: Collection<Skill, SkillInput, SkillPatch>;
  readonly pauseReasons: Collection<PauseReason, PauseReasonInput, PauseReasonPatch>;
  readonly dispositions: Collection<Disposition, DispositionInput, DispositionPatch>;
  readonly users: Collection<User, UserInput, UserPatch>;
  readonly trunks: Collection<Trunk, TrunkInput, TrunkPatch>;
  readonly numbers: Collection<DialNumber, DialNumberInput, DialNumberPatch>;
  /** The CRM: customers, notes, timeline, duplicates, import/export (client/customers.ts). */
  readonly customers: CustomersClient;
  readonly customerFields: CustomerFieldsClient;
  /** The knowledge base: articles, versions, search, suggestions, categories, editors (client/kb.ts). */
  readonly kb: KbClient;
  /** Tickets: status, assignment, comments, history, SLA clocks; business calendars; SLA policies (client/tickets.ts). */
  readonly tickets: TicketsClient;
  /** Workflow rules: CRUD, enable/disable, dry run (client/rules.ts). */
  readonly rules: RulesClient;
  /** Scheduled callbacks: schedule, list, show, cancel (client/callbacks.ts). */
  readonly callbacks: CallbacksClient;
  readonly calendars: CalendarsClient;
  readonly slaPolicies: SlaPoliciesClient;

  constructor(opts: ClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.#token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.agents = new Collection(this, '/v1/agents');
    this.queues = new QueueCollection(this, '/v1/queues');
    this.skills = new Collection(this, '/v1/skills');
    this.pauseReasons = new Collection(this, '/v1/pause-reasons');
    this.dispositions = new Collection(this, '/v1/dispositions');
    this.users = new Collection(this, '/v1/users');
    this.trunks = new Collection(this, '/v1/trunks');
    this.numbers = new Collection(this, '/v1/numbers');
    this.customers = new CustomersClient(this);
    this.customerFields = new CustomerFieldsClient(this);
    this.kb = new KbClient(this);
    this.tickets = new TicketsClient(this);
    this.rules = new RulesClient(this);
    this.callbacks = new CallbacksClient(this);
    this.calendars = new CalendarsClient(this);
    this.slaPolicies = new SlaPoliciesClient(this);
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token) headers['authorization'] = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: { status: number; text: string };
    try {
      res = await exchange(`${this.url}${path}${queryString(query)}`, method, headers, body === undefined ? undefined : JSON.stringify(body), this.timeoutMs);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new ConnectionError(this.url, e.code ?? e.message);
    }
    const text = res.text;
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        throw new ApiError(res.status, 'bad_response', `the server answered ${res.status} with a body that is not JSON`);
      }
    }
    if (res.status < 200 || res.status > 299) {
      const e = (data ?? {}) as { code?: string; message?: string; details?: ErrorDetail[] };
      throw new ApiError(res.status, e.code ?? 'http_error', e.message ?? `HTTP ${res.status}`, e.details ?? []);
    }
    return data as T;
  }

  health(): Promise<{ status: 'ok' }> {
    return this.request('GET', '/v1/health');
  }
  status(): Promise<ServerStatus> {
    return this.request('GET', '/v1/status');
  }
  me(): Promise<Me> {
    return this.request('GET', '/v1/me');
  }

  tokens = {
    list: (user?: string): Promise<Token[]> => this.request('GET', '/v1/tokens', undefined, { user }),
    create: (input: TokenInput): Promise<NewToken> => this.request('POST', '/v1/tokens', input),
    revoke: (id: string): Promise<Token> => this.request('DELETE', `/v1/tokens/${enc(id)}`),
  };

  registrations = {
    /** Registered SIP devices (contacts) of the agents, on the node answering. */
    list: (): Promise<Registration[]> => this.request('GET', '/v1/registrations'),
  };

  calls = {
    /** Call records, newest first; `active` keeps the calls not ended. */
    list: (q: { active?: boolean; limit?: number } = {}): Promise<CallInfo[]> => this.request('GET', '/v1/calls', undefined, q),
    get: (id: string): Promise<CallInfo> => this.request('GET', `/v1/calls/${enc(id)}`),
    /** Hang up a live call (supervisors, admins); returns it ended. 404 unknown call, 409 not live. */
    hangup: (id: string): Promise<CallInfo> => this.request('POST', `/v1/calls/${enc(id)}/hangup`),
    /** Click-to-call (supervisors, admins): ring agent `from`, then connect it to `to`; the new call (trying). */
    originate: (input: { from: string; to: string }): Promise<CallInfo> => this.request('POST', '/v1/calls/originate', input),
  };

  security = {
    bans: {
      /** Source addresses banned for failing SIP authentication, on the node answering. */
      list: (): Promise<AddressBan[]> => this.request('GET', '/v1/security/bans'),
      /** Lift a ban (404 when the address is not banned); returns the lifted ban. */
      unban: (address: string): Promise<AddressBan> => this.request('DELETE', `/v1/security/bans/${enc(address)}`),
    },
  };

  audit = {
    list: (q: { after?: number; limit?: number; action?: string; actor?: string; subjectType?: string; subjectId?: string } = {}): Promise<AuditEntry[]> =>
      this.request('GET', '/v1/audit', undefined, q),
  };

  center = {
    export: (): Promise<CenterFile> => this.request('GET', '/v1/center'),
    plan: (center: unknown, prune = false): Promise<Plan> => this.request('POST', '/v1/center/plan', { center, prune }),
    apply: (center: unknown, prune = false): Promise<Plan> => this.request('POST', '/v1/center/apply', { center, prune }),
    schema: (): Promise<object> => this.request('GET', '/v1/center/schema'),
  };

  events = {
    list: (q: { after?: number; limit?: number; types?: string[] } = {}): Promise<EventPage> =>
      this.request('GET', '/v1/events', undefined, { after: q.after, limit: q.limit, type: q.types?.join(',') }),
    /**
     * Replay from `after` then follow live events until `signal` aborts (resolves) or the connection
     * fails (rejects with ConnectionError or ApiError). Callers reconnect with the last cursor seen.
     */
    stream: async (o: StreamOptions): Promise<void> => {
      // Loaded on first use: every CLI command imports this client, and loading ws costs ~15 ms.
      const { default: WebSocket } = await import('ws');
      return new Promise((resolve, reject) => {
        const url = `${this.url.replace(/^http/, 'ws')}/v1/stream${queryString({ after: o.after, type: o.types?.join(',') })}`;
        const ws = new WebSocket(url, { headers: this.#token ? { authorization: `Bearer ${this.#token}` } : {} });
        const onAbort = () => ws.close(1000);
        if (o.signal?.aborted) return resolve();
        o.signal?.addEventListener('abort', onAbort, { once: true });
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            let e: { code?: string; message?: string } = {};
            try {
              e = JSON.parse(body);
            } catch {
              /* not JSON */
            }
            reject(new ApiError(res.statusCode ?? 0, e.code ?? 'http_error', e.message ?? `HTTP ${res.statusCode}`));
          });
        });
        ws.on('message', (data) => {
          const msg = JSON.parse(data.toString()) as { kind: 'event'; event: HotlineEvent } | { kind: 'live'; cursor: number };
          if (msg.kind === 'event') o.onEvent(msg.event);
          else o.onLive?.(msg.cursor);
        });
        ws.on('error', (err: Error & { code?: string }) => reject(new ConnectionError(this.url, err.code ?? err.message)));
        ws.on('close', (code, reason) => {
          o.signal?.removeEventListener('abort', onAbort);
          if (o.signal?.aborted || code === 1000) resolve();
          else reject(new ConnectionError(this.url, `stream closed (${code}${reason.length ? `: ${reason.toString()}` : ''})`));
        });
      });
    },
  };
}
