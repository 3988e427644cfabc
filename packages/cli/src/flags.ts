/**
 * Parsing of the structured flags resource commands share (`--skill billing=7`, `--set key=value`,
 * `--settings-json`). Bad input is a usage error (exit 2) naming the flag and the expected form.
 */
import { Flags } from '@oclif/core';
import { CliFailure } from './base.js';
import { ExitCode } from './exit-codes.js';

/** Mirrors the server's ACD strategies (packages/server/src/acd/schemas.ts STRATEGIES). */
export const STRATEGIES = ['ring-all', 'longest-idle', 'round-robin', 'fewest-calls', 'least-recent', 'random', 'linear', 'skills-weighted'];
/** Mirrors the server's roles (packages/server/src/security/schemas.ts ROLES). */
export const ROLES = ['admin', 'supervisor', 'agent', 'auditor'];

export function usageError(message: string): CliFailure {
  return new CliFailure(message, ExitCode.usage, 'usage');
}

function splitPair(flag: string, form: string, raw: string): [string, string] {
  const i = raw.indexOf('=');
  if (i <= 0) throw usageError(`--${flag} expects ${form}, got ${JSON.stringify(raw)}`);
  return [raw.slice(0, i).trim(), raw.slice(i + 1).trim()];
}

/** `--skill billing=7 --skill sales=3` -> `{billing: 7, sales: 3}`; undefined when the flag was not given. */
export function parseSkills(values: string[] | undefined, flag = 'skill'): Record<string, number> | undefined {
  if (!values) return undefined;
  const map: Record<string, number> = {};
  for (const raw of values) {
    const [name, level] = splitPair(flag, 'NAME=LEVEL (e.g. billing=7)', raw);
    if (!/^\d+$/.test(level)) throw usageError(`--${flag} ${raw}: the level must be a whole number 1-10`);
    map[name] = Number(level);
  }
  return map;
}

/** `30` -> 30, `true`/`false` -> boolean, anything else stays a string (the server validates it). */
export function scalar(value: string): number | boolean | string {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

/**
 * Queue settings from `--settings-json '{...}'` and then `--set key=value` (which wins); a dotted key
 * sets a nested map entry: `--set requiredSkills.billing=5`. Undefined when neither flag was given.
 */
export function parseSettings(set: string[] | undefined, json: string | undefined): Record<string, unknown> | undefined {
  if (!set && json === undefined) return undefined;
  let settings: Record<string, unknown> = {};
  if (json !== undefined) {
    try {
      settings = JSON.parse(json) as Record<string, unknown>;
    } catch (err) {
      throw usageError(`--settings-json is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw usageError('--settings-json must be a JSON object');
  }
  for (const raw of set ?? []) {
    const [key, value] = splitPair('set', 'KEY=VALUE (e.g. serviceLevelSeconds=30)', raw);
    const [outer, inner] = key.split('.', 2) as [string, string | undefined];
    if (inner === undefined) settings[outer] = scalar(value);
    else settings[outer] = { ...(settings[outer] as object | undefined), [inner]: scalar(value) };
  }
  return settings;
}

/** An object without the keys whose value is undefined (so a PATCH sends only what was given). */
export function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** PATCH with nothing in it is almost certainly a mistake: say which flags would change something. */
export function requireSome(patch: object, flags: string): void {
  if (Object.keys(patch).length === 0) throw usageError(`nothing to update: give at least one of ${flags}`);
}

export const skillFlag = Flags.string({
  description: 'skill and proficiency 1-10 as NAME=LEVEL (repeatable; on update replaces all skills)',
  multiple: true,
  helpValue: 'NAME=LEVEL',
});

/** Flags shared by `queues create` and `queues update`. */
export const queueFlags = {
  strategy: Flags.string({ description: 'ACD strategy (create default: longest-idle)', options: STRATEGIES }),
  set: Flags.string({
    description: 'a setting as KEY=VALUE (repeatable): serviceLevelSeconds, maxWaitSeconds, maxCallers, ringTimeoutSeconds, wrapUpSeconds, priority, announcePositionSeconds, joinWhenEmpty, requiredSkills.<skill>',
    multiple: true,
    helpValue: 'KEY=VALUE',
  }),
  'settings-json': Flags.string({ description: 'settings as a JSON object (--set wins over it)', helpValue: 'JSON' }),
};

export const NUMBER_TARGET_HELP = 'where calls to the number go: agent:<extension>, queue:<name> or flow:<name> (flows are not checked yet)';

/** Mirrors the server's trunk transports (packages/server/src/routing/schemas.ts TRANSPORTS). */
export const TRUNK_TRANSPORTS = ['udp', 'tcp', 'tls'];

/** Flags shared by `trunks create` and `trunks update`. */
export const trunkFlags = {
  description: Flags.string({ description: 'what the trunk is for' }),
  'inbound-cidr': Flags.string({ description: 'network inbound calls may come from, e.g. 203.0.113.0/24 (repeatable; on update replaces all)', multiple: true, helpValue: 'CIDR' }),
  'inbound-username': Flags.string({ description: 'digest user name the carrier authenticates with (not digits only: those are agent extensions)' }),
  'inbound-password': Flags.string({ description: 'digest password of the carrier, 8-128 characters (stored only as HA1)' }),
  host: Flags.string({ description: 'carrier host name or IP address' }),
  port: Flags.integer({ description: 'carrier SIP port, 1-65535 (create default: 5060)' }),
  transport: Flags.string({ description: 'SIP transport (create default: udp)', options: TRUNK_TRANSPORTS }),
  username: Flags.string({ description: 'outbound user name at the carrier' }),
  password: Flags.string({ description: 'outbound password at the carrier, 8-128 characters (stored encrypted, never shown)' }),
  register: Flags.boolean({ description: 'register at the carrier (--no-register: do not)', allowNo: true }),
  'max-calls': Flags.integer({ description: 'concurrent calls, 0 = unlimited' }),
  enabled: Flags.boolean({ description: 'accept and place calls on this trunk', exclusive: ['disabled'] }),
  disabled: Flags.boolean({ description: 'keep the trunk but use it for nothing', exclusive: ['enabled'] }),
};

/** The trunk fields given on the command line (undefined when not given). */
export function trunkFields(f: {
  description?: string; 'inbound-cidr'?: string[]; 'inbound-username'?: string; 'inbound-password'?: string; host?: string; port?: number;
  transport?: string; username?: string; password?: string; register?: boolean; 'max-calls'?: number; enabled?: boolean; disabled?: boolean;
}) {
  return defined({
    description: f.description,
    inboundCidrs: f['inbound-cidr'],
    inboundUsername: f['inbound-username'],
    inboundPassword: f['inbound-password'],
    host: f.host,
    port: f.port,
    transport: f.transport as 'udp' | 'tcp' | 'tls' | undefined,
    username: f.username,
    password: f.password,
    register: f.register,
    maxCalls: f['max-calls'],
    enabled: f.enabled ? true : f.disabled ? false : undefined,
  });
}
