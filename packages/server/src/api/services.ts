import type { Agents } from '../acd/agents.js';
import type { Dispositions, PauseReasons, Skills } from '../acd/catalogs.js';
import type { Queues } from '../acd/queues.js';
import type { CallInfo } from '../calls/call.js';
import type { CallRecords } from '../calls/records.js';
import type { Config } from '../config/load.js';
import type { Crm } from '../crm/crm.js';
import type { Store } from '../events/changes.js';
import type { Kb } from '../kb/kb.js';
import type { Tokens } from '../security/tokens.js';
import type { Numbers } from '../routing/numbers.js';
import type { Trunks } from '../routing/trunks.js';
import type { Users } from '../security/users.js';
import type { TicketDesk } from '../tickets/desk.js';
import type { Callbacks } from '../workflow/callbacks.js';
import type { Rules } from '../workflow/rules.js';

export interface Listener {
  host: string;
  port: number;
}

/** One SIP registration (binding) as the API shows it. */
export interface Registration {
  extension: string;
  contact: string;
  transport: string;
  /** address:port of the packet source the device registered from. */
  source: string;
  userAgent: string | null;
  /** ISO 8601 times. */
  expiresAt: string;
  registeredAt: string;
}

/** The registrar's bindings (sip/registrar.ts), in-memory on this node. */
export interface RegistrationsPort {
  list(): Registration[];
}

/** A SIP source address banned after repeated digest authentication failures (sip/bans.ts). */
export interface AddressBan {
  address: string;
  /** ISO 8601 time at which the ban ends. */
  until: string;
  /** Failures that led to the ban. */
  failures: number;
}

/** This node's SIP auth-failure bans (in memory, per node). */
export interface BansPort {
  /** Current bans, soonest to expire first. */
  list(): AddressBan[];
  /** Lift the ban on an address (and forget its failures); the lifted ban, or null if it was not banned. */
  unban(address: string): AddressBan | null;
}

/** The live calls of this node's B2BUA (calls/b2bua.ts): control from the API. */
export interface LiveCallsPort {
  /** End a live call (BYE, or 480 and CANCEL before the answer); null when no such call is live here. */
  hangup(id: string, reason: string): CallInfo | null;
  /** Click-to-call (calls/originate.ts): ring agent `from`, then connect it to `to`; throws HotlineError (404/409/400). */
  originate(from: string, to: string): Promise<CallInfo>;
}

/** What the API serves from; built by main.ts. */
export interface Services {
  config: Config;
  store: Store;
  agents: Agents;
  queues: Queues;
  skills: Skills;
  pauseReasons: PauseReasons;
  dispositions: Dispositions;
  trunks: Trunks;
  numbers: Numbers;
  users: Users;
  tokens: Tokens;
  /** Call records (calls/records.ts). */
  calls: CallRecords;
  /** The CRM (crm/): customers, notes, custom fields, duplicates, import. */
  crm: Crm;
  /** The knowledge base (kb/): articles, versions, categories, search, suggestions, files. */
  kb: Kb;
  /** Tickets (tickets/): tickets, comments, history, business calendars, SLA policies and clocks. */
  tickets: TicketDesk;
  /** Workflow rules (workflow/rules.ts); the engine runs in main.ts. */
  rules: Rules;
  /** Scheduled callbacks (workflow/callbacks.ts); dialled by the scheduler in main.ts. */
  callbacks: Callbacks;
  /** Live call control (hang up, originate) on this node. */
  liveCalls: LiveCallsPort;
  version: string;
  startedAt: Date;
  registrations: RegistrationsPort;
  bans: BansPort;
  /** Addresses actually bound (ports resolved when configured as 0). */
  listeners(): Record<string, Listener | null>;
}
