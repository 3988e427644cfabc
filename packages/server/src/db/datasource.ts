import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DbDialect } from '../config/load.js';
import { DatabaseUnavailable } from '../errors.js';
import { entities } from './entities/index.js';
import { Initial1764000000001 as MysqlInitial } from './migrations/mysql/0001-initial.js';
import { TrunksNumbers1764000000002 as MysqlTrunksNumbers } from './migrations/mysql/0002-trunks-numbers.js';
import { Calls1764000000003 as MysqlCalls } from './migrations/mysql/0003-calls.js';
import { Calls1764000000003 as SqliteCalls } from './migrations/sqlite/0003-calls.js';
import { CallTrunk1764000000004 as MysqlCallTrunk } from './migrations/mysql/0004-call-trunk.js';
import { CallTrunk1764000000004 as SqliteCallTrunk } from './migrations/sqlite/0004-call-trunk.js';
import { Crm1764000000006 as MysqlCrm } from './migrations/mysql/0006-crm.js';
import { Crm1764000000006 as SqliteCrm } from './migrations/sqlite/0006-crm.js';
import { Kb1764000000007 as MysqlKb } from './migrations/mysql/0007-kb.js';
import { Kb1764000000007 as SqliteKb } from './migrations/sqlite/0007-kb.js';
import { Tickets1764000000008 as MysqlTickets } from './migrations/mysql/0008-tickets.js';
import { Tickets1764000000008 as SqliteTickets } from './migrations/sqlite/0008-tickets.js';
import { Rules1764000000009 as MysqlRules } from './migrations/mysql/0009-rules.js';
import { Rules1764000000009 as SqliteRules } from './migrations/sqlite/0009-rules.js';
import { TicketAttachments1764000000011 as MysqlTicketAttachments } from './migrations/mysql/0011-ticket-attachments.js';
import { TicketAttachments1764000000011 as SqliteTicketAttachments } from './migrations/sqlite/0011-ticket-attachments.js';
import { Callbacks1764000000012 as MysqlCallbacks } from './migrations/mysql/0012-callbacks.js';
import { Callbacks1764000000012 as SqliteCallbacks } from './migrations/sqlite/0012-callbacks.js';
import { CallNumbers1764000000013 as MysqlCallNumbers } from './migrations/mysql/0013-call-numbers.js';
import { CallNumbers1764000000013 as SqliteCallNumbers } from './migrations/sqlite/0013-call-numbers.js';
import { Initial1764000000001 as SqliteInitial } from './migrations/sqlite/0001-initial.js';
import { TrunksNumbers1764000000002 as SqliteTrunksNumbers } from './migrations/sqlite/0002-trunks-numbers.js';

export const migrationsFor: Record<DbDialect, Array<new () => unknown>> = {
  sqlite: [SqliteInitial, SqliteTrunksNumbers, SqliteCalls, SqliteCallTrunk, SqliteCrm, SqliteKb, SqliteTickets, SqliteRules, SqliteTicketAttachments, SqliteCallbacks, SqliteCallNumbers],
  mysql: [MysqlInitial, MysqlTrunksNumbers, MysqlCalls, MysqlCallTrunk, MysqlCrm, MysqlKb, MysqlTickets, MysqlRules, MysqlTicketAttachments, MysqlCallbacks, MysqlCallNumbers],
};

export function dataSourceOptions(url: string, dialect: DbDialect, readOnly = false): DataSourceOptions {
  if (dialect === 'sqlite') {
    const file = resolve(url.slice('sqlite:'.length).replace(/^\/\//, ''));
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    return {
      type: 'better-sqlite3',
      database: file,
      entities,
      migrations: migrationsFor.sqlite,
      migrationsTransactionMode: 'each',
      // WAL lets readers (event stream, reports) run beside the single writer.
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
        if (readOnly) db.pragma('query_only = ON');
      },
    };
  }
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  return {
    type: url.startsWith('mariadb:') ? 'mariadb' : 'mysql',
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ''),
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: 5000,
    entities,
    migrations: migrationsFor.mysql,
    migrationsTransactionMode: 'each',
  };
}

/** Errors worth a second try: the server is there but dropped or refused this one connection. */
const TRANSIENT = new Set(['ECONNRESET', 'PROTOCOL_CONNECTION_LOST', 'ETIMEDOUT', 'EPIPE', 'ER_CON_COUNT_ERROR']);
const CONNECT_ATTEMPTS = 3;

async function connectOnce(url: string, dialect: DbDialect, readOnly: boolean): Promise<DataSource> {
  // Preparing the options creates the SQLite file's directory, which can fail too.
  const ds = new DataSource(dataSourceOptions(url, dialect, readOnly));
  await ds.initialize();
  return ds;
}

async function connect(url: string, dialect: DbDialect, readOnly: boolean): Promise<DataSource> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce(url, dialect, readOnly);
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { sqlMessage?: string };
      if (attempt < CONNECT_ATTEMPTS && e.code !== undefined && TRANSIENT.has(e.code)) {
        await new Promise((r) => setTimeout(r, 200 * 3 ** (attempt - 1)));
        continue;
      }
      const where = dialect === 'sqlite' ? url : new URL(url.replace(/^mariadb:/, 'mysql:')).host;
      throw new DatabaseUnavailable(`cannot open the ${dialect} database at ${where}: ${e.sqlMessage ?? e.code ?? e.message}`);
    }
  }
}

export interface Database {
  /** Reads outside write transactions: they see committed data only. */
  read: DataSource;
  /** The Writer's connection: write transactions and migrations. */
  write: DataSource;
  close(): Promise<void>;
}

/**
 * Connect and run pending migrations. Connection failures become one clear DatabaseUnavailable.
 *
 * TypeORM drives SQLite through one shared connection, so a read issued while a write transaction is
 * open would run inside it and see uncommitted rows (an event stream could send an event that then
 * rolls back). SQLite therefore gets a second, query-only connection for reads; WAL gives it a
 * committed snapshot. MySQL uses a pool, where every transaction has its own connection already.
 */
export async function openDatabase(url: string, dialect: DbDialect): Promise<Database> {
  const write = await connect(url, dialect, false);
  try {
    await write.runMigrations({ transaction: 'each' });
    const read = dialect === 'sqlite' ? await connect(url, dialect, true) : write;
    return {
      read,
      write,
      close: async () => {
        if (read !== write) await read.destroy();
        await write.destroy();
      },
    };
  } catch (err) {
    await write.destroy();
    throw err;
  }
}
