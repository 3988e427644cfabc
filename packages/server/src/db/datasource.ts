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

export function dataSourceOptions(url: string, dialect: DbDialect): DataSourceOptions {
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

/** Connect and run pending migrations. Connection failures become one clear DatabaseUnavailable. */
export async function openDatabase(url: string, dialect: DbDialect): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(url, dialect));
  try {
    await ds.initialize();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { sqlMessage?: string };
    const where = dialect === 'sqlite' ? url : new URL(url.replace(/^mariadb:/, 'mysql:')).host;
    throw new DatabaseUnavailable(`cannot open the ${dialect} database at ${where}: ${e.sqlMessage ?? e.code ?? e.message}`);
  }
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}
