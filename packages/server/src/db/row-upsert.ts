import type { DataSource, EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/**
 * `INSERT ... ON CONFLICT (pk) DO UPDATE` (SQLite) / `INSERT ... ON DUPLICATE KEY UPDATE` (MySQL, MariaDB)
 * of whole rows of one entity, the SQL built once from typeorm's metadata and values converted by the
 * driver like typeorm's own inserts (dates, nulls), run with `em.query` (a cached prepared statement on
 * SQLite).
 */
export class RowUpsert<T extends object> {
  private readonly columns: ColumnMetadata[];
  private readonly sql = new Map<number, string>();
  private readonly head: string;
  private readonly tail: string;
  private readonly tuple: string;

  constructor(private readonly ds: DataSource, target: new () => T) {
    const meta = ds.getMetadata(target);
    const d = ds.driver;
    this.columns = meta.columns;
    const names = this.columns.map((c) => d.escape(c.databaseName));
    const keys = meta.primaryColumns.map((c) => d.escape(c.databaseName));
    const rest = this.columns.filter((c) => !c.isPrimary).map((c) => d.escape(c.databaseName));
    const mysql = ds.options.type === 'mysql' || ds.options.type === 'mariadb';
    this.head = `INSERT INTO ${d.escape(meta.tableName)} (${names.join(', ')}) VALUES `;
    this.tuple = `(${names.map(() => '?').join(', ')})`;
    this.tail = mysql
      ? ` ON DUPLICATE KEY UPDATE ${rest.map((n) => `${n} = VALUES(${n})`).join(', ')}`
      : ` ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${rest.map((n) => `${n} = excluded.${n}`).join(', ')}`;
  }

  async run(em: EntityManager, rows: T[]): Promise<void> {
    let sql = this.sql.get(rows.length);
    if (!sql) this.sql.set(rows.length, (sql = this.head + rows.map(() => this.tuple).join(', ') + this.tail));
    const params = rows.flatMap((r) => this.columns.map((c) => this.ds.driver.preparePersistentValue(c.getEntityValue(r), c) as unknown));
    await em.query(sql, params);
  }
}
