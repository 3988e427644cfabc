import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DbDialect } from '../config/load.js';
import { DatabaseUnavailable } from '../errors.js';
import { entities } from './entities/index.js';
import { Initial1764000000001 as MysqlInitial } from './migrations/mysql/0001-initial.js';
import { Initial1764000000001 as SqliteInitial } from './migrations/sqlite/0001-initial.js';

export const migrationsFor: Record<DbDialect, Array<new () => unknown>> = {
  sqlite: [SqliteInitial],
  mysql: [MysqlInitial],
};

export function dataSourceOptions(url: string, dialect: DbDialect, readOnly = false): DataSourceOptions {
  if (dialect === 'sqlite') {
    const file = resolve(url.slice('sqlite:'.length).replace(/^\/\//, ''));
    mkdirSync(dirname(file), { recursive: true });
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

async function connect(url: string, dialect: DbDialect, readOnly: boolean): Promise<DataSource> {
  let ds: DataSource;
  try {
    // Inside the try: preparing the options creates the SQLite file's directory, which can fail too.
    ds = new DataSource(dataSourceOptions(url, dialect, readOnly));
    await ds.initialize();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { sqlMessage?: string };
    const where = dialect === 'sqlite' ? url : new URL(url.replace(/^mariadb:/, 'mysql:')).host;
    throw new DatabaseUnavailable(`cannot open the ${dialect} database at ${where}: ${e.sqlMessage ?? e.code ?? e.message}`);
  }
  return ds;
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
