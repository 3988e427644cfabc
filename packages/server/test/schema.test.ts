/**
 * The migrations create exactly the schema the entities describe, on both dialects: the same tables,
 * the same columns with the same nullability, primary keys, generated ids, lengths, defaults and
 * indexes. Running migrations again is a no-op, they can be undone and redone, and a restarted server
 * keeps its data.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { migrationsFor, openDatabase, type Database } from '../src/db/datasource.js';
import { entities } from '../src/db/entities/index.js';
import { createTestDatabase, type Dialect } from '../src/testing.js';
import { allEvents, eachDialect, http, serve } from './helpers.js';

interface ColumnShape {
  nullable: boolean;
  primary: boolean;
  generated: boolean;
  type: string;
  length: string;
  default: string | null;
  /** Fractional seconds of datetime columns (MySQL; SQLite stores text and reports none). */
  precision: number | null;
}

interface TableShape {
  columns: Record<string, ColumnShape>;
  indexes: Record<string, { unique: boolean; columns: string[] }>;
}

/** Integer types: SQLite knows only `integer` (and reports bigint autoincrement as integer). */
function normType(dialect: Dialect, type: string): string {
  const t = type.toLowerCase();
  if (dialect === 'sqlite' && ['int', 'integer', 'bigint'].includes(t)) return 'integer';
  return t;
}

function normDefault(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  // Dialects quote defaults differently: (1), '1', 'NULL', '''' (MariaDB's '' quoted again).
  let s = String(v).replace(/^\((.*)\)$/, '$1');
  while (/^'(.*)'$/.test(s)) s = s.slice(1, -1);
  return s === 'NULL' ? null : s;
}

/** What the entities say, per table. */
function fromEntities(ds: DataSource, dialect: Dialect): Record<string, TableShape> {
  const out: Record<string, TableShape> = {};
  for (const e of entities) {
    const m = ds.getMetadata(e);
    const columns: Record<string, ColumnShape> = {};
    for (const c of m.columns) {
      columns[c.databaseName] = {
        nullable: c.isNullable,
        primary: c.isPrimary,
        generated: c.isGenerated,
        type: normType(dialect, String(c.type)),
        length: c.length ? String(c.length) : '',
        default: normDefault(c.default),
        precision: dialect === 'mysql' && c.type === 'datetime' ? (c.precision ?? null) : null,
      };
    }
    const indexes: TableShape['indexes'] = {};
    for (const i of m.indices) indexes[i.name] = { unique: i.isUnique, columns: i.columns.map((c) => c.databaseName).sort() };
    out[m.tableName] = { columns, indexes };
  }
  return out;
}

/** What the database has, per table (the migrations bookkeeping table aside). */
async function fromDatabase(ds: DataSource, dialect: Dialect): Promise<Record<string, TableShape>> {
  const qr = ds.createQueryRunner();
  try {
    const list: Array<Record<string, string>> = await qr.query(dialect === 'sqlite' ? "SELECT name FROM sqlite_master WHERE type = 'table'" : 'SHOW TABLES');
    const names = list.map((r) => Object.values(r)[0]!).filter((n) => !['migrations', 'sqlite_sequence'].includes(n));
    const tables = names.length ? await qr.getTables(names) : [];
    const out: Record<string, TableShape> = {};
    for (const t of tables) {
      const columns: Record<string, ColumnShape> = {};
      for (const c of t.columns) {
        columns[c.name] = {
          nullable: c.isNullable,
          primary: c.isPrimary,
          generated: c.isGenerated,
          type: normType(dialect, c.type),
          length: c.length ? String(c.length) : '',
          default: normDefault(c.default),
          precision: dialect === 'mysql' && c.type === 'datetime' ? (c.precision ?? null) : null,
        };
      }
      const indexes: TableShape['indexes'] = {};
      for (const i of t.indices) indexes[i.name!] = { unique: Boolean(i.isUnique), columns: [...i.columnNames].sort() };
      out[t.name] = { columns, indexes };
    }
    return out;
  } finally {
    await qr.release();
  }
}

async function withDatabase(t: ExecutionContext, dialect: Dialect): Promise<{ url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-test-schema-'));
  const db = await createTestDatabase(dialect, dir);
  t.teardown(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { url: db.url };
}

async function open(t: ExecutionContext, url: string, dialect: Dialect): Promise<Database> {
  const db = await openDatabase(url, dialect);
  t.teardown(() => (db.write.isInitialized ? db.close() : undefined));
  return db;
}

eachDialect('migrations create exactly the tables, columns, keys and indexes the entities describe', async (t, dialect) => {
  const { url } = await withDatabase(t, dialect);
  const db = await open(t, url, dialect);
  const want = fromEntities(db.write, dialect);
  const have = await fromDatabase(db.write, dialect);
  t.deepEqual(Object.keys(have).sort(), Object.keys(want).sort(), 'the same tables');
  for (const table of Object.keys(want)) {
    t.deepEqual(Object.keys(have[table]?.columns ?? {}).sort(), Object.keys(want[table]!.columns).sort(), `${table}: the same columns`);
    for (const [name, col] of Object.entries(want[table]!.columns)) {
      const got = have[table]?.columns[name];
      if (!got) continue;
      t.is(got.nullable, col.nullable, `${table}.${name} nullability`);
      t.is(got.primary, col.primary, `${table}.${name} primary key`);
      t.is(got.generated, col.generated, `${table}.${name} generated`);
      t.is(got.type, col.type, `${table}.${name} type`);
      t.is(got.length, col.length, `${table}.${name} length`);
      t.is(got.default, col.default, `${table}.${name} default`);
      t.is(got.precision, col.precision, `${table}.${name} precision`);
    }
    t.deepEqual(have[table]?.indexes, want[table]!.indexes, `${table}: indexes`);
  }
});

eachDialect('migrations run once: a second run finds nothing to do and changes nothing; down and up again restore the schema', async (t, dialect) => {
  const { url } = await withDatabase(t, dialect);
  const first = await open(t, url, dialect);
  const schema = await fromDatabase(first.write, dialect);
  const applied = await first.write.query('SELECT name FROM migrations ORDER BY id');
  t.deepEqual(applied.map((r: { name: string }) => r.name), migrationsFor[dialect].map((m) => (new m() as { name: string }).name));
  await first.write.manager.query(dialect === 'sqlite' ? `INSERT INTO "skills" ("name", "description") VALUES ('kept', '')` : "INSERT INTO `skills` (`name`, `description`) VALUES ('kept', '')");
  await first.close();

  const second = await open(t, url, dialect);
  t.false(await second.write.showMigrations(), 'nothing pending');
  t.deepEqual(await second.write.runMigrations(), [], 'running again does nothing');
  t.deepEqual(await second.write.query('SELECT name FROM migrations ORDER BY id'), applied);
  t.deepEqual(await fromDatabase(second.write, dialect), schema);
  t.deepEqual((await second.read.query('SELECT name FROM skills')).map((r: { name: string }) => r.name), ['kept'], 'data survives');

  // Every migration can be undone, and redone to the same schema.
  for (let i = 0; i < migrationsFor[dialect].length; i++) await second.write.undoLastMigration();
  t.deepEqual(Object.keys(await fromDatabase(second.write, dialect)), [], 'down removes every table');
  t.is((await second.write.runMigrations()).length, migrationsFor[dialect].length);
  t.deepEqual(await fromDatabase(second.write, dialect), schema);
});

test('both dialects have the same migrations, in the same order', (t) => {
  const names = (d: Dialect) => migrationsFor[d].map((m) => (new m() as { name: string }).name);
  t.deepEqual(names('sqlite'), names('mysql'));
  t.true(names('sqlite').length > 0);
});

eachDialect('a restarted server keeps its data, its tokens and its event cursor', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const sup = await s.clientFor('supervisor');
  await s.admin.skills.create({ name: 'sales' });
  await s.admin.agents.create({ extension: '1001', name: 'Alice', skills: { sales: 5 }, password: 'a long password' });
  await s.admin.queues.create({ name: 'support', strategy: 'ring-all', settings: { wrapUpSeconds: 3 } });
  await sup.queues.members.add('support', { agent: '1001', penalty: 2 });
  await s.admin.pauseReasons.create({ code: 'lunch', label: 'Lunch', paid: true, maxMinutes: 30 });
  await s.admin.dispositions.create({ code: 'sold', label: 'Sold', requiresNote: true });
  const exported = await s.admin.center.export();
  const agent = await s.admin.agents.get('1001');
  const events = await allEvents(s);
  const audit = await s.admin.audit.list({ limit: 1000 });
  const oldUrl = s.url;

  await s.restart();
  t.not(s.url, oldUrl, 'a new port (configured as 0)');
  t.is((await http(oldUrl, 'GET', '/v1/health').catch(() => ({ status: 0 }))).status, 0, 'the old server is gone');
  t.deepEqual(await s.admin.center.export(), exported);
  t.deepEqual(await s.admin.agents.get('1001'), agent, 'timestamps and credentials too');
  t.deepEqual(await allEvents(s), events);
  t.deepEqual(await s.admin.audit.list({ limit: 1000 }), audit);
  t.is((await s.admin.status()).events.cursor, events.at(-1)!.cursor);
  t.is((await sup.request<{ user: { name: string } }>('GET', '/v1/me').catch(() => null)), null, 'the old client points at the old port');
  const sup2 = (await http(s.url, 'GET', '/v1/me', { token: sup.token })).body;
  t.is(sup2.user.role, 'supervisor', 'tokens survive a restart');
  await s.admin.skills.create({ name: 'after' });
  const next = await allEvents(s);
  t.is(next.length, events.length + 1);
  t.true(next.at(-1)!.cursor > events.at(-1)!.cursor, 'cursors keep increasing');
});
