import type { Agents } from '../acd/agents.js';
import type { Dispositions, PauseReasons, Skills } from '../acd/catalogs.js';
import type { Queues } from '../acd/queues.js';
import type { Config } from '../config/load.js';
import type { Store } from '../events/changes.js';
import type { Tokens } from '../security/tokens.js';
import type { Users } from '../security/users.js';

export interface Listener {
  host: string;
  port: number;
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
  users: Users;
  tokens: Tokens;
  version: string;
  startedAt: Date;
  /** Addresses actually bound (ports resolved when configured as 0). */
  listeners(): Record<string, Listener | null>;
}
