/**
 * A fast insert path for benchmarks only (scripts/bench/kb-search.mjs): published articles with their
 * postings, written with multi-row INSERTs in large transactions, bypassing validation, versions, the
 * writer, audit and events. Document frequencies are summed in memory and written once at the end
 * (`finishBulk`). Never used by the server itself.
 */
import type { DataSource } from 'typeorm';
import { postingsOf } from './search-index.js';

export interface BulkArticle {
  title: string;
  body: string;
  tags: string[];
}

function sqlTime(d: Date, sqlite: boolean): string | Date {
  return sqlite ? d.toISOString().replace('T', ' ').replace('Z', '') : d;
}

const marks = (n: number, k: number) => Array.from({ length: n }, () => `(${Array(k).fill('?').join(',')})`).join(',');

export class BulkKb {
  private readonly df = new Map<string, number>();
  private docs = 0;
  constructor(private readonly ds: DataSource) {}

  async insert(rows: BulkArticle[], batch = 500): Promise<void> {
    const sqlite = this.ds.options.type === 'better-sqlite3';
    const [{ max }] = (await this.ds.query('SELECT MAX(id) AS max FROM kb_articles')) as Array<{ max: number | null }>;
    let id = Number(max ?? 0);
    const now = sqlTime(new Date(), sqlite);
    for (let start = 0; start < rows.length; start += batch) {
      const chunk = rows.slice(start, start + batch);
      const ids = chunk.map(() => ++id);
      const postings = chunk.flatMap((a, i) => postingsOf(a.title, `${a.body}\n${a.tags.join(' ')}`).filter((p) => p.term.length <= 48).map((p) => [p.term, ids[i]!, p.tfTitle, p.tfBody, p.impact] as const));
      for (const p of postings) this.df.set(p[0], (this.df.get(p[0]) ?? 0) + 1);
      this.docs += chunk.length;
      await this.ds.transaction(async (em) => {
        await em.query(
          `INSERT INTO kb_articles (id, kind, title, question, body, url, category_id, tags, status, visibility, valid_from, valid_until, file_sha256, file_name, file_size, file_type, version, created_by, updated_by, created_at, updated_at) VALUES ${marks(chunk.length, 21)}`,
          chunk.flatMap((a, i) => [ids[i], 'knowledge', a.title, null, a.body, null, null, JSON.stringify(a.tags), 'published', 'internal', null, null, null, null, null, null, 1, 'bench', 'bench', now, now]),
        );
        const tagRows = chunk.flatMap((a, i) => a.tags.map((t) => [t, ids[i]!]));
        if (tagRows.length) await em.query(`INSERT INTO kb_article_tags (tag, article_id) VALUES ${marks(tagRows.length, 2)}`, tagRows.flat());
        for (let k = 0; k < postings.length; k += 2000) {
          const part = postings.slice(k, k + 2000);
          await em.query(`INSERT INTO kb_terms (term, article_id, tf_title, tf_body, impact) VALUES ${marks(part.length, 5)}`, part.flat());
        }
      });
    }
  }

  /** Write the document frequencies (and the article count under term ``). */
  async finish(): Promise<void> {
    const sqlite = this.ds.options.type === 'better-sqlite3';
    const entries: Array<[string, number]> = [...this.df.entries(), ['', this.docs]];
    await this.ds.transaction(async (em) => {
      for (let k = 0; k < entries.length; k += 2000) {
        const part = entries.slice(k, k + 2000);
        await em.query(sqlite
          ? `INSERT INTO kb_term_df (term, df) VALUES ${marks(part.length, 2)} ON CONFLICT(term) DO UPDATE SET df = df + excluded.df`
          : `INSERT INTO kb_term_df (term, df) VALUES ${marks(part.length, 2)} ON DUPLICATE KEY UPDATE df = df + VALUES(df)`, part.flat());
      }
    });
  }
}
