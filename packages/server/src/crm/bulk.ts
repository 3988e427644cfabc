/**
 * A fast insert path for benchmarks and load tests only (scripts/bench/customer-lookup.mjs): synthetic
 * customers with one phone and one email each, written with multi-row INSERTs in large transactions,
 * bypassing validation, the writer, the audit log and events. Never used by the server itself.
 */
import type { DataSource } from 'typeorm';
import { fold } from './normalize.js';

export interface BulkCustomer {
  name: string;
  company: string;
  /** E.164, already normalized. */
  phone: string;
  email: string;
}

function sqlTime(d: Date, dialect: 'sqlite' | 'mysql'): string | Date {
  return dialect === 'sqlite' ? d.toISOString().replace('T', ' ').replace('Z', '') : d;
}

/** Insert `rows` (ids after the current largest), `batch` rows per statement, in one transaction per batch. */
export async function bulkInsertCustomers(ds: DataSource, rows: BulkCustomer[], batch = 1000): Promise<void> {
  const dialect = ds.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
  const q = (id: string) => (dialect === 'sqlite' ? `"${id}"` : `\`${id}\``);
  const [{ max }] = (await ds.query(`SELECT MAX(${q('id')}) AS ${q('max')} FROM ${q('customers')}`)) as Array<{ max: number | null }>;
  let id = Number(max ?? 0);
  const now = sqlTime(new Date(), dialect);
  for (let start = 0; start < rows.length; start += batch) {
    const chunk = rows.slice(start, start + batch);
    const ids = chunk.map(() => ++id);
    const marks = (n: number, k: number) => Array.from({ length: n }, () => `(${Array(k).fill('?').join(',')})`).join(',');
    await ds.transaction(async (em) => {
      await em.query(
        `INSERT INTO ${q('customers')} (${['id', 'name', 'company', 'name_key', 'company_key', 'language', 'tags', 'vip_level', 'preferred_agent', 'custom', 'created_at', 'updated_at'].map(q).join(',')}) VALUES ${marks(chunk.length, 12)}`,
        chunk.flatMap((c, i) => [ids[i], c.name, c.company, fold(c.name), fold(c.company), null, '[]', 0, null, '{}', now, now]),
      );
      await em.query(
        `INSERT INTO ${q('customer_phones')} (${['customer_id', 'number', 'ext', 'label', 'position'].map(q).join(',')}) VALUES ${marks(chunk.length, 5)}`,
        chunk.flatMap((c, i) => [ids[i], c.phone, null, null, 0]),
      );
      await em.query(
        `INSERT INTO ${q('customer_emails')} (${['customer_id', 'email', 'email_lower', 'position'].map(q).join(',')}) VALUES ${marks(chunk.length, 4)}`,
        chunk.flatMap((c, i) => [ids[i], c.email, c.email.toLowerCase(), 0]),
      );
    });
  }
}
