import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigInvalid, type ErrorDetail } from '../errors.js';
import { LOG_LEVELS, type LogLevel } from '../logger.js';
import { settings, type SettingSpec } from './schema.js';

export type DbDialect = 'sqlite' | 'mysql';
export type { LogLevel };

export interface Config {
  dataDir: string;
  db: { url: string; dialect: DbDialect };
  http: { host: string; port: number; bodyLimit: number };
  sip: { host: string; port: number; wsPort: number; realm: string };
  log: { level: LogLevel };
  shutdown: { graceMs: number };
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Path of an optional YAML file; defaults to $HOTLINE_CONFIG. */
  file?: string;
  /** Values that win over env and file (used by tests and `hotline server start` flags). */
  overrides?: Record<string, string | number>;
}

const LEVELS = new Set<string>(LOG_LEVELS);

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
    case 'path':
    case 'string':
      if (raw.trim() === '') bad('must not be empty');
      break;
  }
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
  if (problems.length > 0) throw new ConfigInvalid(problems);
  const num = (k: string) => Number(resolved[k]);
  const dataDir = resolve(resolved['dataDir']!);
  const url = resolved['db.url']!;
  return {
    dataDir,
    db: { url, dialect: dialectOf(url)! },
    http: { host: resolved['http.host']!, port: num('http.port'), bodyLimit: num('http.bodyLimit') },
    sip: { host: resolved['sip.host']!, port: num('sip.port'), wsPort: num('sip.wsPort'), realm: resolved['sip.realm']! },
    log: { level: resolved['log.level'] as LogLevel },
    shutdown: { graceMs: num('shutdown.graceMs') },
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
