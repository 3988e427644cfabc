/**
 * Full-text search and suggestions over the inverted index (search-index.ts), one SQL for SQLite and
 * MariaDB. A query's terms (text.ts) must all match (AND). The rarest term (kb_term_df) drives: its
 * postings are read best-impact first through (term, impact), at most DRIVER_CAP of them, and every
 * other term is a primary-key probe per candidate. Score = sum over terms of idf(term) x impact, with
 * idf = ln(1 + (N - df + 0.5) / (df + 0.5)) (BM25's). For a term in more than DRIVER_CAP articles the
 * result is the best of its DRIVER_CAP highest-impact postings (approximate, documented); rare terms are
 * exact. Permissions, status and category rules are SQL filters on the same query. Highlighting
 * is done on the original text (text.ts).
 */
import { In, type EntityManager } from 'typeorm';
import { KbArticleRow } from '../db/entities/index.js';
import type { Actor, Store } from '../events/changes.js';
import { Tree, visibleStatuses, type Reader } from './access.js';
import { articleDto, type Articles } from './articles.js';
import { isSqlite } from './search-index.js';
import type { SearchQuery, SearchResult, SuggestQuery, Suggestion } from './schemas.js';
import { highlight, queryTerms, snippet } from './text.js';

export const DRIVER_CAP = 2000;
/** Driver postings read by the first, shallow pass (at least twice the limit). */
const FIRST_DEPTH = 50;
/** Slack for the bound test: scores are float sums computed by the database. */
const EPSILON = 1e-6;
const MAX_TERMS = 12;

interface Hit {
  id: number;
  score: number;
}

interface Where {
  sql: string;
  params: unknown[];
}

interface Filters {
  statuses: string[];
  kind?: string;
  categories?: number[];
  excludeExpired?: boolean;
}

export class Search {
  constructor(
    private readonly store: Store,
    private readonly articles: Articles,
  ) {}

  /** Article ids and scores, best first. */
  async ids(reader: Reader, tree: Tree, text: string, f: Filters, limit: number): Promise<{ terms: string[]; hits: Hit[] }> {
    const em = this.store.ds.manager;
    const terms = queryTerms(text).filter((t) => t.length <= 48).slice(0, MAX_TERMS);
    if (!terms.length) return { terms, hits: [] };
    // Document frequencies (N under term '').
    const stats: Array<{ term: string; df: number }> = await em.query(
      `SELECT d.term, d.df FROM kb_term_df d WHERE d.term IN (${[...terms, ''].map(() => '?').join(',')})`,
      [...terms, ''],
    );
    const df = new Map(stats.map((r) => [r.term, Number(r.df)]));
    const n = Math.max(1, df.get('') ?? 0);
    if (terms.some((t) => !(df.get(t)! > 0))) return { terms, hits: [] };
    const ordered = [...terms].sort((a, b) => df.get(a)! - df.get(b)!);
    const idf = ordered.map((t) => Math.log(1 + (n - df.get(t)! + 0.5) / (df.get(t)! + 0.5)));
    const where = this.filters(em, reader, tree, f);
    const limitN = Math.floor(limit);
    // First a shallow pass over the driver's best postings. It is the final answer when the driver has
    // no more postings, or when its limit-th score beats anything an unseen article could reach (the
    // unseen driver postings are at most `floor`, every other term at most its best impact: the
    // threshold algorithm's bound, Fagin et al. 2001). A single common word stops there after a few
    // dozen postings; otherwise one pass over DRIVER_CAP postings. (Deepening ten-fold in between did
    // not pay: with two common words the bound, loose by the other term's best impact, rarely holds.)
    const depth = Math.min(DRIVER_CAP, Math.max(FIRST_DEPTH, 2 * limitN));
    let hits = await this.pass(em, ordered, idf, where, depth, limitN);
    const last = hits.at(-1);
    if (df.get(ordered[0]!)! > depth) {
      let done = false;
      if (hits.length >= limitN && last !== undefined) {
        // The lowest driver impact read: the depth-th best posting, one step along (term, impact).
        const [row] = await em.query(`SELECT impact FROM kb_terms WHERE term = ? ORDER BY impact DESC LIMIT 1 OFFSET ${depth - 1}`, [ordered[0]]) as Array<{ impact: number }>;
        // Every other term's best impact, one index probe each (a correlated MAX over kb_terms is not
        // optimized away by MariaDB: it read every posting of a common word, 20-30 ms).
        let rest = 0;
        for (const [i, t] of ordered.slice(1).entries()) {
          const [best] = await em.query('SELECT MAX(impact) AS top FROM kb_terms WHERE term = ?', [t]) as Array<{ top: number | null }>;
          rest += idf[i + 1]! * Number(best?.top ?? 0);
        }
        done = last.score > idf[0]! * Number(row?.impact ?? 0) + rest + EPSILON;
      }
      if (!done) hits = await this.pass(em, ordered, idf, where, DRIVER_CAP, limitN);
    }
    return { terms, hits: hits.map((h) => ({ id: h.id, score: Math.round(h.score) / 1000 })) };
  }

  /** Score the driver's `depth` highest-impact postings (AND over every other term, filters applied); the best `limit`. */
  private async pass(em: EntityManager, ordered: string[], idf: number[], where: Where, depth: number, limit: number): Promise<Hit[]> {
    const params: unknown[] = [...idf, ordered[0]];
    // No window function for the floor here: MariaDB 10.11 spends ~35 ms materializing one over 1,000 rows.
    let sql = `SELECT p0.article_id AS id, (${ordered.map((_, i) => `? * p${i}.impact`).join(' + ')}) AS score
      FROM (SELECT article_id, impact FROM kb_terms WHERE term = ? ORDER BY impact DESC LIMIT ${depth}) p0`;
    ordered.slice(1).forEach((t, i) => {
      sql += ` JOIN kb_terms p${i + 1} ON p${i + 1}.term = ? AND p${i + 1}.article_id = p0.article_id`;
      params.push(t);
    });
    sql += ` JOIN kb_articles a ON a.id = p0.article_id WHERE ${where.sql} ORDER BY score DESC, a.id DESC LIMIT ${limit}`;
    const rows: Array<{ id: number; score: number }> = await em.query(sql.replace(/\s+/g, ' '), [...params, ...where.params]);
    return rows.map((r) => ({ id: Number(r.id), score: Number(r.score) }));
  }

  /** Status, permission, kind, category and validity rules as an SQL condition on `a` (kb_articles). */
  private filters(em: EntityManager, reader: Reader, tree: Tree, f: Filters): Where {
    let sql = `a.status IN (${f.statuses.map(() => '?').join(',')})`;
    const params: unknown[] = [...f.statuses];
    const hidden = tree.hidden(reader);
    if (hidden.length) {
      sql += ` AND (a.category_id IS NULL OR a.category_id NOT IN (${hidden.map(() => '?').join(',')}))`;
      params.push(...hidden);
    }
    if (f.kind) {
      sql += ' AND a.kind = ?';
      params.push(f.kind);
    }
    if (f.categories) {
      sql += ` AND a.category_id IN (${[...f.categories, -1].map(() => '?').join(',')})`;
      params.push(...f.categories, -1);
    }
    if (f.excludeExpired) {
      const now = new Date();
      sql += " AND (a.kind <> 'promotion' OR ((a.valid_from IS NULL OR a.valid_from <= ?) AND (a.valid_until IS NULL OR a.valid_until > ?)))";
      const at = isSqlite(em) ? now.toISOString().replace('T', ' ').replace('Z', '') : now;
      params.push(at, at);
    }
    return { sql, params };
  }

  async search(actor: Actor, q: SearchQuery): Promise<SearchResult> {
    const em = this.store.ds.manager;
    const reader = await this.articles.reader(actor);
    const tree = await Tree.load(em);
    const statuses = q.status ? visibleStatuses(reader).filter((s) => s === q.status) : visibleStatuses(reader).filter((s) => s !== 'archived');
    if (!statuses.length) return { query: q.q, terms: queryTerms(q.q), hits: [] };
    const f: Filters = { statuses, ...(q.kind ? { kind: q.kind } : {}), ...(q.category !== undefined ? { categories: this.articles.categoryIds(tree, q.category) } : {}) };
    const { terms, hits } = await this.ids(reader, tree, q.q, f, q.limit ?? 20);
    const rows = hits.length ? await em.find(KbArticleRow, { where: { id: In(hits.map((h) => h.id)) } }) : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return {
      query: q.q,
      terms,
      hits: hits.filter((h) => byId.has(h.id)).map((h) => {
        const a = byId.get(h.id)!;
        return { article: articleDto(a, tree), score: h.score, title: highlight(a.title, q.q), snippet: snippet(a.question ? `${a.question}\n${a.body}` : a.body, q.q) };
      }),
    };
  }

  /**
   * Suggestions for a call or ticket: published, readable, not expired. Score = 1 per matching tag
   * (tags given, the queue name, each segment of the flow path) + 2 x the subject's search score
   * relative to the best subject hit.
   */
  async suggest(actor: Actor, q: SuggestQuery): Promise<Suggestion[]> {
    const em = this.store.ds.manager;
    const reader = await this.articles.reader(actor);
    const tree = await Tree.load(em);
    const tags = [...new Set([
      ...(q.tags ?? '').split(',').map((t) => t.trim()),
      q.queue?.trim() ?? '',
      ...(q.flow ?? '').split('/').map((t) => t.trim()),
    ].filter((t) => t !== '' && t.length <= 40))];
    const scores = new Map<number, { score: number; reasons: string[] }>();
    const bump = (id: number, s: number, reason: string) => {
      const e = scores.get(id) ?? { score: 0, reasons: [] };
      e.score += s;
      e.reasons.push(reason);
      scores.set(id, e);
    };
    if (tags.length) {
      const rows: Array<{ article_id: number; tag: string }> = await em.query(
        `SELECT article_id, tag FROM kb_article_tags WHERE tag IN (${tags.map(() => '?').join(',')}) LIMIT 5000`, tags);
      for (const r of rows) bump(Number(r.article_id), 1, `tag ${r.tag}`);
    }
    if (q.subject?.trim()) {
      const { hits } = await this.ids(reader, tree, q.subject, { statuses: ['published'], excludeExpired: true }, 50);
      const best = hits[0]?.score ?? 1;
      for (const h of hits) bump(h.id, (2 * h.score) / best, 'subject matches');
    }
    if (!scores.size) return [];
    const rows = await em.find(KbArticleRow, { where: { id: In([...scores.keys()]), status: 'published' } });
    return rows
      .filter((a) => tree.mayRead(reader, a.categoryId))
      .map((a) => ({ article: articleDto(a, tree), score: Math.round(scores.get(a.id)!.score * 1000) / 1000, reasons: scores.get(a.id)!.reasons }))
      .filter((s) => !s.article.expired)
      .sort((x, y) => y.score - x.score || y.article.id - x.article.id)
      .slice(0, q.limit ?? 10);
  }
}
