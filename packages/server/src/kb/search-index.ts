/**
 * Writing the inverted index (kb_terms, kb_term_df) for an article, inside the caller's transaction.
 * Terms come from kb/text.ts. Title field = title + FAQ question + attachment name; body field = body,
 * tags and URL. `impact` is a BM25-like weight per posting, precomputed at write time so that a query
 * only sums idf x impact:
 *   impact = 1000 x (5 x tfT / (tfT + 1.2 x (0.25 + 0.75 x lenT / 8)) + tfB / (tfB + 1.2 x (0.25 + 0.75 x lenB / 200)))
 * The title's saturated weight (>= ~1.9 for one occurrence in a short title) is above anything the body
 * can give (< 1), so a title match ranks above body-only matches. Average lengths are fixed constants
 * (8 and 200 terms), so nothing needs recomputing when the collection grows.
 */
import type { EntityManager } from 'typeorm';
import type { KbArticleRow } from '../db/entities/index.js';
import { documentTerms, termCount } from './text.js';

const CHUNK = 200;

export function isSqlite(em: EntityManager): boolean {
  return em.connection.options.type === 'better-sqlite3';
}

export function fieldsOf(a: Pick<KbArticleRow, 'title' | 'question' | 'body' | 'tags' | 'url' | 'fileName'>): { title: string; body: string } {
  return {
    title: [a.title, a.question ?? '', a.fileName ?? ''].join('\n'),
    body: [a.body, a.tags.join(' '), a.url ?? ''].join('\n'),
  };
}

export interface Posting {
  term: string;
  tfTitle: number;
  tfBody: number;
  impact: number;
}

export function postingsOf(title: string, body: string): Posting[] {
  const t = documentTerms(title);
  const b = documentTerms(body);
  const lenT = termCount(t);
  const lenB = termCount(b);
  const terms = new Set([...t.keys(), ...b.keys()]);
  return [...terms].map((term) => {
    const tfT = t.get(term) ?? 0;
    const tfB = b.get(term) ?? 0;
    const wT = tfT ? (5 * tfT) / (tfT + 1.2 * (0.25 + (0.75 * lenT) / 8)) : 0;
    const wB = tfB ? tfB / (tfB + 1.2 * (0.25 + (0.75 * lenB) / 200)) : 0;
    return { term, tfTitle: tfT, tfBody: tfB, impact: Math.max(1, Math.round(1000 * (wT + wB))) };
  });
}

async function bumpDf(em: EntityManager, terms: string[], delta: 1 | -1): Promise<void> {
  const sqlite = isSqlite(em);
  for (let i = 0; i < terms.length; i += CHUNK) {
    const part = terms.slice(i, i + CHUNK);
    if (delta === -1) {
      await em.query(`UPDATE kb_term_df SET df = df - 1 WHERE term IN (${part.map(() => '?').join(',')})`, part);
      continue;
    }
    const values = part.map(() => '(?, 1)').join(',');
    await em.query(sqlite
      ? `INSERT INTO kb_term_df (term, df) VALUES ${values} ON CONFLICT(term) DO UPDATE SET df = df + 1`
      : `INSERT INTO kb_term_df (term, df) VALUES ${values} ON DUPLICATE KEY UPDATE df = df + 1`, part);
  }
}

/** Remove an article's postings (and its count from the document frequencies). */
export async function unindex(em: EntityManager, articleId: number): Promise<void> {
  const rows: Array<{ term: string }> = await em.query('SELECT term FROM kb_terms WHERE article_id = ?', [articleId]);
  if (!rows.length) return;
  await em.query('DELETE FROM kb_terms WHERE article_id = ?', [articleId]);
  await bumpDf(em, [...rows.map((r) => r.term), ''], -1);
}

/** (Re)index an article. */
export async function index(em: EntityManager, a: KbArticleRow): Promise<void> {
  await unindex(em, a.id);
  const f = fieldsOf(a);
  const postings = postingsOf(f.title, f.body).filter((p) => p.term.length <= 48);
  for (let i = 0; i < postings.length; i += CHUNK) {
    const part = postings.slice(i, i + CHUNK);
    await em.query(`INSERT INTO kb_terms (term, article_id, tf_title, tf_body, impact) VALUES ${part.map(() => '(?, ?, ?, ?, ?)').join(',')}`,
      part.flatMap((p) => [p.term, a.id, p.tfTitle, p.tfBody, p.impact]));
  }
  await bumpDf(em, [...postings.map((p) => p.term), ''], 1);
}
