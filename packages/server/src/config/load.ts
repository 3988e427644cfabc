import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { parseDocument } from 'yaml';
import { ConfigInvalid, type ErrorDetail } from '../errors.js';
import { cidrProblem } from '../net.js';
import { LOG_LEVELS, type LogLevel } from '../logger.js';
import { settings, type SettingSpec } from './schema.js';

export type DbDialect = 'sqlite' | 'mysql';
export type { LogLevel };

export interface Config {
  dataDir: string;
  db: { url: string; dialect: DbDialect };
  http: { host: string; port: number; bodyLimit: number };
  sip: {
    host: string;
    port: number;
    wsPort: number;
    tlsPort: number;
    wssPort: number;
    /** PEM paths of the TLS/WSS listeners; both null when TLS is not configured. */
    tlsCert: string | null;
    tlsKey: string | null;
    realm: string;
    maxCallsPerAgent: number;
    egressNetworks: string[];
    /** DNS servers for trunk host names (`addr`, `addr:port`, `[v6]:port`); empty: the system's. */
    dnsServers: string[];
    trunkKeepaliveSeconds: number;
    trunkRegistration: boolean;
  };
  log: { level: LogLevel };
  shutdown: { graceMs: number };
  /**
   * CRM (crm/): the region national phone numbers are read in (ISO 3166-1 alpha-2, upper case); the queue
   * priority of each VIP level (index 0-5).
   */
  crm: { defaultRegion: string; vipPriority: number[] };
  /** Privacy (crm/privacy.ts, api/masking.ts): the roles that see phone numbers masked. */
  privacy: { maskPhonesFor: string[] };
  /** Retention (crm/retention.ts): days kept per kind, 0 = forever. */
  retention: { callDays: number; eventDays: number; auditDays: number; ticketDays: number };
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of an optional YAML file; defaults to $HOTLINE_CONFIG. */
  file?: string;
  /** Values that win over env and file (used by tests and `hotline server start` flags). */
  overrides?: Record<string, string | number>;
}

const LEVELS = new Set<string>(LOG_LEVELS);
const BOOLEANS = new Set(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']);
const TRUE = new Set(['true', '1', 'yes', 'on']);

/** Flatten `{http: {port: 1}}` into `{'http.port': '1'}`, reporting unknown keys and non-scalars. */
function flattenFile(obj: unknown, prefix: string, out: Record<string, string>, problems: ErrorDetail[]): void {
  if (obj === null || obj === undefined) return;
  if (typeof obj !== 'object' || Array.isArray(obj)) {
    problems.push({ path: `file:${prefix || '/'}`, message: 'expected a mapping' });
    return;
  }
  const known = new Set(settings.map((s) => s.key));
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      flattenFile(v, key, out, problems);
    } else if (!known.has(key)) {
      problems.push({ path: `file:${key}`, message: 'unknown setting' });
    } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      out[key] = String(v);
    } else {
      problems.push({ path: `file:${key}`, message: 'expected a string or a number' });
    }
  }
}

function readFile(path: string, problems: ErrorDetail[]): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push({ path: `file`, message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return {};
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const at = e.linePos?.[0];
      problems.push({ path: `file`, message: `${path}${at ? `:${at.line}:${at.col}` : ''}: ${e.message.split('\n')[0]}` });
    }
    return {};
  }
  const out: Record<string, string> = {};
  flattenFile(doc.toJS(), '', out, problems);
  return out;
}

function check(spec: SettingSpec, raw: string, where: string, problems: ErrorDetail[]): void {
  const bad = (message: string) => problems.push({ path: where, message: `${message} (got ${JSON.stringify(spec.secret ? '***' : raw)})` });
  switch (spec.type) {
    case 'port': {
      if (!/^\d+$/.test(raw) || Number(raw) > 65535) bad('must be a port number 0-65535');
      break;
    }
    case 'integer': {
      const n = Number(raw);
      if (!/^-?\d+$/.test(raw)) bad('must be a whole number');
      else if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max))
        bad(`must be between ${spec.min} and ${spec.max}`);
      break;
    }
    case 'host':
      if (!(isIP(raw) || /^[A-Za-z0-9.-]+$/.test(raw))) bad('must be an IP address or a host name');
      break;
    case 'level':
      if (!LEVELS.has(raw)) bad(`must be one of ${[...LEVELS].join(', ')}`);
      break;
    case 'url':
      if (dialectOf(raw) === undefined) {
        problems.push({ path: where, message: 'must start with sqlite:, mysql:// or mariadb://' });
      }
      break;
    case 'cidrs':
      for (const entry of splitList(raw)) {
        const problem = cidrProblem(entry);
        if (problem) bad(`${JSON.stringify(entry)}: ${problem}`);
      }
      break;
    case 'optionalPath':
      break;
    case 'boolean':
      if (!BOOLEANS.has(raw.toLowerCase())) bad('must be true or false (or 1/0, yes/no, on/off)');
      break;
    case 'roles':
      // The roles of security/schemas.ts (config/ sits below security/ and cannot import it).
      for (const entry of splitList(raw)) if (!ROLES.has(entry)) bad(`${JSON.stringify(entry)}: not a role (${[...ROLES].join(', ')})`);
      break;
    case 'servers':
      for (const entry of splitList(raw)) if (!serverAddress(entry)) bad(`${JSON.stringify(entry)}: not an IP address or address:port`);
      break;
    case 'path':
    case 'string':
      if (raw.trim() === '') bad('must not be empty');
      break;
  }
}

/** A DNS server entry: `addr`, `v4addr:port`, `[v6addr]:port`; undefined when malformed. */
export function serverAddress(entry: string): { address: string; port: number } | undefined {
  if (isIP(entry)) return { address: entry, port: 53 };
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(entry) ?? /^([^:]+):(\d{1,5})$/.exec(entry);
  if (!m || !isIP(m[1]!) || Number(m[2]) < 1 || Number(m[2]) > 65535) return undefined;
  return { address: m[1]!, port: Number(m[2]) };
}

const ROLES = new Set(['admin', 'supervisor', 'agent', 'auditor']);

/** A comma-separated setting as its entries (blank entries dropped). */
function splitList(raw: string): string[] {
  return raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
}

/** VIP levels of customers (crm/schemas.ts: 0-5) and the queue priority scale (acd/schemas.ts: 0-100). */
const VIP_LEVELS = 6;
const MAX_QUEUE_PRIORITY = 100;

/** `0:0,1:20,...` -> the priority of each VIP level (index = level), or what is wrong with it. */
export function parseVipPriority(raw: string): number[] | string {
  const out: Array<number | undefined> = new Array(VIP_LEVELS).fill(undefined);
  for (const entry of splitList(raw)) {
    const m = /^(\d+)\s*:\s*(\d+)$/.exec(entry);
    if (!m) return `${JSON.stringify(entry)}: not level:priority (e.g. 3:60)`;
    const level = Number(m[1]);
    const priority = Number(m[2]);
    if (level >= VIP_LEVELS) return `${JSON.stringify(entry)}: VIP levels are 0-${VIP_LEVELS - 1}`;
    if (priority > MAX_QUEUE_PRIORITY) return `${JSON.stringify(entry)}: queue priorities are 0-${MAX_QUEUE_PRIORITY}`;
    if (out[level] !== undefined) return `VIP level ${level} is given twice`;
    out[level] = priority;
  }
  const missing = out.flatMap((p, level) => (p === undefined ? [level] : []));
  if (missing.length) return `every VIP level 0-${VIP_LEVELS - 1} needs a priority (missing: ${missing.join(', ')})`;
  return out as number[];
}

export function dialectOf(url: string): DbDialect | undefined {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) return 'mysql';
  return undefined;
}

/**
 * Resolve every setting from overrides, then env, then the YAML file, then its default; validate all
 * of them and throw one ConfigInvalid listing every problem.
 */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const problems: ErrorDetail[] = [];
  const filePath = opts.file ?? env['HOTLINE_CONFIG'];
  const fromFile = filePath ? readFile(filePath, problems) : {};
  const resolved: Record<string, string> = {};
  for (const spec of settings) {
    const override = opts.overrides?.[spec.key];
    const envValue = env[spec.env];
    let raw: string;
    let where: string;
    if (override !== undefined) {
      raw = String(override);
      where = spec.key;
    } else if (envValue !== undefined && envValue !== '') {
      raw = envValue;
      where = spec.env;
    } else if (fromFile[spec.key] !== undefined) {
      raw = fromFile[spec.key]!;
      where = `file:${spec.key}`;
    } else {
      raw = typeof spec.default === 'function' ? spec.default(resolved) : spec.default;
      where = `${spec.key} (default)`;
    }
    check(spec, raw, where, problems);
    resolved[spec.key] = raw;
  }
  const tlsCert = resolved['sip.tlsCert']!.trim();
  const tlsKey = resolved['sip.tlsKey']!.trim();
  if ((tlsCert === '') !== (tlsKey === '')) {
    problems.push({ path: tlsCert === '' ? 'sip.tlsCert' : 'sip.tlsKey', message: 'sip.tlsCert and sip.tlsKey are set together (TLS/WSS need both)' });
  }
  const region = resolved['crm.defaultRegion']!;
  if (!/^[A-Z]{2}$/.test(region) || !isSupportedCountry(region as CountryCode)) {
    problems.push({ path: 'crm.defaultRegion', message: `must be an ISO 3166-1 alpha-2 country code in upper case with a telephone numbering plan, e.g. US, DE, GB (got ${JSON.stringify(region)})` });
  }
  const vipPriority = parseVipPriority(resolved['crm.vipPriority']!);
  if (typeof vipPriority === 'string') problems.push({ path: 'crm.vipPriority', message: `${vipPriority} (got ${JSON.stringify(resolved['crm.vipPriority'])})` });
  if (problems.length > 0) throw new ConfigInvalid(problems);
  const num = (k: string) => Number(resolved[k]);
  const dataDir = resolve(resolved['dataDir']!);
  const url = resolved['db.url']!;
  return {
    dataDir,
    db: { url, dialect: dialectOf(url)! },
    http: { host: resolved['http.host']!, port: num('http.port'), bodyLimit: num('http.bodyLimit') },
    sip: {
      host: resolved['sip.host']!,
      port: num('sip.port'),
      wsPort: num('sip.wsPort'),
      tlsPort: num('sip.tlsPort'),
      wssPort: num('sip.wssPort'),
      tlsCert: tlsCert === '' ? null : resolve(tlsCert),
      tlsKey: tlsKey === '' ? null : resolve(tlsKey),
      realm: resolved['sip.realm']!,
      maxCallsPerAgent: num('sip.maxCallsPerAgent'),
      egressNetworks: splitList(resolved['sip.egressNetworks']!),
      dnsServers: splitList(resolved['sip.dnsServers']!),
      trunkKeepaliveSeconds: num('sip.trunkKeepaliveSeconds'),
      trunkRegistration: TRUE.has(resolved['sip.trunkRegistration']!.toLowerCase()),
    },
    log: { level: resolved['log.level'] as LogLevel },
    shutdown: { graceMs: num('shutdown.graceMs') },
    crm: { defaultRegion: region, vipPriority: vipPriority as number[] },
    privacy: { maskPhonesFor: splitList(resolved['privacy.maskPhonesFor']!) },
    retention: {
      callDays: num('retention.callDays'), eventDays: num('retention.eventDays'), auditDays: num('retention.auditDays'), ticketDays: num('retention.ticketDays'),
    },
  };
}

/**
 * The database URL with any password replaced, safe to print. Like the URL parser that connects, the
 * user info ends at the last `@` before the path, so a password with a raw `@` is hidden whole.
 */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/)([^/?#]*)@/, (_m, scheme: string, userInfo: string) => {
    const colon = userInfo.indexOf(':');
    return `${scheme}${colon < 0 ? userInfo : `${userInfo.slice(0, colon)}:***`}@`;
  });
}
