/**
 * Shared helpers for the server tests: one test per dialect, a server that is always stopped, raw HTTP
 * requests (status, headers and exact body), an in-memory log, and waiting on conditions with a deadline.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { openDatabase, type Database } from '../src/db/datasource.js';
import { createLogger } from '../src/logger.js';
import { createTestDatabase, dialects, MYSQL_SKIP_MESSAGE, startTestServer, type Dialect, type TestServer, type TestServerOptions } from '../src/testing.js';

/** Register `fn` once per dialect: `[sqlite] title`, `[mysql] title` (skipped with a reason when MySQL is not configured). */
export function eachDialect(title: string, fn: (t: ExecutionContext, dialect: Dialect) => Promise<void>): void {
  for (const { dialect, available } of dialects()) {
    if (!available) {
      test.skip(`[${dialect}] ${title} (${MYSQL_SKIP_MESSAGE})`, () => {});
      continue;
    }
    test(`[${dialect}] ${title}`, (t) => fn(t, dialect));
  }
}

/**
 * At most this many servers start at once in one test process: a start (database creation, migrations,
 * connection handshakes) is the heavy part, and a dozen at once on two cores makes MySQL handshakes
 * time out. The tests themselves still run concurrently.
 */
const MAX_STARTING = 2;
let starting = 0;
const waiting: Array<() => void> = [];

async function startSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (starting >= MAX_STARTING) await new Promise<void>((r) => waiting.push(r));
  else starting++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else starting--;
  }
}

/** A fresh test server that is stopped (database dropped, data dir removed) when the test ends. */
export async function serve(t: ExecutionContext, opts: TestServerOptions = {}): Promise<TestServer> {
  const s = await startSlot(() => startTestServer(opts));
  t.teardown(() => s.stop());
  return s;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RawOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as is (no JSON encoding), e.g. invalid JSON. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** One HTTP request with nothing in between: exact status, headers and body. */
export async function http(baseUrl: string, method: string, path: string, o: RawOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers['authorization'] = `Bearer ${o.token}`;
  let body: string | undefined;
  if (o.rawBody !== undefined) {
    body = o.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** A logger at `trace` that keeps every line in memory. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  let partial = '';
  const dest = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l !== ''));
      cb();
    },
  });
  return { logger: createLogger('trace', dest), lines };
}

/** Resolve once `check()` is truthy, re-checking on every turn of the event loop; reject after the deadline. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A promise with its resolve function, for gates and signals between a test and a server route. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(v: T): void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Every event in the log, paging with `after` (admin token). */
export async function allEvents(s: TestServer, types?: string[]): Promise<Array<{ cursor: number; type: string; payload: Record<string, unknown> }>> {
  const out = [];
  let after = 0;
  for (;;) {
    const page = await s.admin.events.list({ after, limit: 1000, types });
    out.push(...page.events);
    if (page.events.length < 1000) return out;
    after = page.next;
  }
}

/** Every audit entry, paging with `after` (admin token). */
export async function allAudit(s: TestServer) {
  const out = [];
  let after = 0;
  for (;;) {
    const page = await s.admin.audit.list({ after, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
    after = page.at(-1)!.id;
  }
}

/** A fresh database of the dialect (unique name, own temp dir), opened and migrated; removed at teardown. */
export async function testDatabase(t: ExecutionContext, dialect: Dialect): Promise<Database> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-test-db-'));
  const tdb = await createTestDatabase(dialect, dir);
  const db = await openDatabase(tdb.url, dialect);
  t.teardown(async () => {
    await db.close();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}
