import type { Agents } from '../acd/agents.js';
import type { Dispositions, PauseReasons, Skills } from '../acd/catalogs.js';
import type { Queues } from '../acd/queues.js';
import type { CallRecords } from '../calls/records.js';
import type { Config } from '../config/load.js';
import type { Store } from '../events/changes.js';
import type { Tokens } from '../security/tokens.js';
import type { Numbers } from '../routing/numbers.js';
import type { Trunks } from '../routing/trunks.js';
import type { Users } from '../security/users.js';

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
  version: string;
  startedAt: Date;
  registrations: RegistrationsPort;
  bans: BansPort;
  /** Addresses actually bound (ports resolved when configured as 0). */
  listeners(): Record<string, Listener | null>;
}
