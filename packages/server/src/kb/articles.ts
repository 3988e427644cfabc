/**
 * Articles: create, update, delete, status transitions, version history (a snapshot per save), diff and
 * restore. Every mutation runs in the caller's write transaction, reindexes the article for search,
 * and is audited through recordChange (kb.article.created|updated|submitted|published|unpublished|
 * archived|restored|deleted).
 *
 * Status is an explicit state machine (TRANSITIONS): draft -> review -> published -> archived, with
 * review -> draft (changes requested), published -> draft (unpublish) and archived -> draft (revive).
 */
import { In, type EntityManager } from 'typeorm';
import { KbArticleRow, KbArticleTagRow, KbVersionRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import { readerOf, requireEditIn, Tree, visibleStatuses, type Reader } from './access.js';
import { lineDiff } from './diff.js';
import { checkPlaceholders } from './phrase.js';
import type { Article, ArticleInput, ArticlePage, ArticlePatch, ArticleQuery, Diff, KbStatus, Version } from './schemas.js';
import { index, unindex } from './search-index.js';

export const TRANSITIONS: Record<KbStatus, readonly KbStatus[]> = {
  draft: ['review', 'archived'],
  review: ['published', 'draft'],
  published: ['archived', 'draft'],
  archived: ['draft'],
};

const EVENT_OF: Record<KbStatus, string> = { draft: 'kb.article.unpublished', review: 'kb.article.submitted', published: 'kb.article.published', archived: 'kb.article.archived' };

/** The editable fields kept in each version snapshot. */
const SNAPSHOT = ['kind', 'title', 'question', 'body', 'url', 'categoryId', 'tags', 'visibility', 'validFrom', 'validUntil'] as const;
type Snapshot = Pick<KbArticleRow, (typeof SNAPSHOT)[number]>;

export function isExpired(a: Pick<KbArticleRow, 'kind' | 'validFrom' | 'validUntil'>, now = new Date()): boolean {
  if (a.kind !== 'promotion') return false;
  return (a.validFrom !== null && now < a.validFrom) || (a.validUntil !== null && now >= a.validUntil);
}

export function articleDto(a: KbArticleRow, tree: Tree, now = new Date()): Article {
  return {
    id: a.id, kind: a.kind as Article['kind'], title: a.title, question: a.question, body: a.body, url: a.url,
    category: a.categoryId === null ? null : tree.byId.get(a.categoryId)?.path ?? null,
    tags: a.tags, status: a.status as KbStatus, visibility: a.visibility as Article['visibility'],
    validFrom: a.validFrom?.toISOString() ?? null, validUntil: a.validUntil?.toISOString() ?? null, expired: isExpired(a, now),
    attachment: a.fileSha256 ? { sha256: a.fileSha256, name: a.fileName ?? '', size: a.fileSize ?? 0, contentType: a.fileType ?? 'application/octet-stream' } : null,
    version: a.version, createdBy: a.createdBy, updatedBy: a.updatedBy, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString(),
  };
}

function parseWhen(v: string | null | undefined, path: string): Date | null | undefined {
  if (v === undefined || v === null) return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new InvalidInput(`${path.slice(1)} is not a date`, [{ path, message: 'must be an ISO 8601 date or time' }]);
  return d;
}

export function parseId(id: string | number): number {
  const s = String(id);
  if (!/^[1-9][0-9]{0,9}$/.test(s)) throw new NotFound('article', s);
  return Number(s);
}

/** Kind-specific rules, checked on every save. */
function validate(a: Snapshot): void {
  const fail = (path: string, message: string) => {
    throw new InvalidInput(`${a.kind}: ${path.slice(1)} ${message}`, [{ path, message }]);
  };
  if (a.kind === 'faq' && !a.question?.trim()) fail('/question', 'is required for a faq');
  if (a.kind === 'link') {
    if (!a.url) fail('/url', 'is required for a link');
    else if (!/^https?:\/\/\S+$/i.test(a.url)) fail('/url', 'must be an http(s) URL');
  }
  if (a.kind === 'promotion' && !a.validFrom && !a.validUntil) fail('/validUntil', 'a promotion needs validFrom and/or validUntil');
  if (a.validFrom && a.validUntil && a.validFrom >= a.validUntil) fail('/validUntil', 'must be after validFrom');
  if (a.kind === 'phrase') checkPlaceholders(a.body);
}

export class Articles {
  constructor(private readonly store: Store) {}

  reader(actor: Actor, em: EntityManager = this.store.ds.manager): Promise<Reader> {
    return readerOf(em, actor);
  }

  /** The row, if this reader may see it (otherwise NotFound: existence is not revealed). */
  async visible(actor: Actor, id: string | number, em: EntityManager = this.store.ds.manager): Promise<{ row: KbArticleRow; tree: Tree; reader: Reader }> {
    const reader = await this.reader(actor, em);
    const tree = await Tree.load(em);
    const row = await em.findOne(KbArticleRow, { where: { id: parseId(id) } });
    if (!row || !visibleStatuses(reader).includes(row.status as KbStatus) || !tree.mayRead(reader, row.categoryId)) throw new NotFound('article', String(id));
    return { row, tree, reader };
  }

  async get(actor: Actor, id: string | number): Promise<Article> {
    const { row, tree } = await this.visible(actor, id);
    return articleDto(row, tree);
  }

  async list(actor: Actor, q: ArticleQuery): Promise<ArticlePage> {
    const em = this.store.ds.manager;
    const reader = await this.reader(actor);
    const tree = await Tree.load(em);
    const limit = q.limit ?? 100;
    const qb = em.createQueryBuilder(KbArticleRow, 'a').where('a.id > :after', { after: q.after ?? 0 })
      .andWhere('a.status IN (:...statuses)', { statuses: [...visibleStatuses(reader).filter((s) => !q.status || s === q.status), '-'] });
    if (q.kind) qb.andWhere('a.kind = :kind', { kind: q.kind });
    const hidden = tree.hidden(reader);
    if (hidden.length) qb.andWhere('(a.category_id IS NULL OR a.category_id NOT IN (:...hidden))', { hidden });
    if (q.category !== undefined) qb.andWhere('a.category_id IN (:...cats)', { cats: [...this.categoryIds(tree, q.category), -1] });
    if (q.tag) qb.andWhere('a.id IN (SELECT t.article_id FROM kb_article_tags t WHERE t.tag = :tag)', { tag: q.tag });
    const rows = await qb.orderBy('a.id', 'ASC').take(limit + 1).getMany();
    const page = rows.slice(0, limit);
    return { articles: page.map((r) => articleDto(r, tree)), next: rows.length > limit ? page.at(-1)!.id : null };
  }

  categoryIds(tree: Tree, path: string): number[] {
    const node = tree.byPath.get(path.replace(/^\/+|\/+$/g, ''));
    if (!node) throw new NotFound('category', path);
    return tree.subtree(node.id);
  }

  private resolveCategory(tree: Tree, path: string | null | undefined): number | null | undefined {
    if (path === undefined || path === null) return path;
    const node = tree.byPath.get(path.replace(/^\/+|\/+$/g, ''));
    if (!node) throw new InvalidInput(`category ${JSON.stringify(path)} does not exist`, [{ path: '/category', message: 'no such category (create it first: hotline kb categories create)' }]);
    return node.id;
  }

  async create(tx: WriteContext, actor: Actor, input: ArticleInput): Promise<Article> {
    const reader = await this.reader(actor, tx.em);
    const tree = await Tree.load(tx.em);
    const categoryId = this.resolveCategory(tree, input.category) ?? null;
    requireEditIn(tree, reader, categoryId);
    const now = new Date();
    const row = tx.em.create(KbArticleRow, {
      kind: input.kind, title: input.title, question: input.question ?? null, body: input.body ?? '', url: input.url ?? null, categoryId,
      tags: [...new Set(input.tags ?? [])], status: input.status ?? 'draft', visibility: input.visibility ?? 'internal',
      validFrom: parseWhen(input.validFrom, '/validFrom') ?? null, validUntil: parseWhen(input.validUntil, '/validUntil') ?? null,
      fileSha256: null, fileName: null, fileSize: null, fileType: null, version: 1,
      createdBy: actor.name, updatedBy: actor.name, createdAt: now, updatedAt: now,
    });
    validate(row);
    // Any initial status (imports create published articles in one step); an attachment waits for its file.
    if (row.kind === 'attachment' && row.status === 'published') throw new Conflict('an attachment article needs its file before it is published');
    await tx.em.save(KbArticleRow, row);
    await this.afterSave(tx.em, row, actor, input.note ?? 'created');
    const after = articleDto(row, tree);
    await recordChange(this.store.events, tx, actor, { type: 'kb.article.created', subjectType: 'kb_article', subjectId: String(row.id), after });
    return after;
  }

  private async afterSave(em: EntityManager, row: KbArticleRow, actor: Actor, note: string): Promise<void> {
    const data: Record<string, unknown> = {};
    for (const k of SNAPSHOT) data[k] = row[k] instanceof Date ? (row[k] as Date).toISOString() : row[k];
    await em.save(KbVersionRow, em.create(KbVersionRow, { articleId: row.id, version: row.version, data, author: actor.name, note: note.slice(0, 200), createdAt: row.updatedAt }));
    await em.delete(KbArticleTagRow, { articleId: row.id });
    if (row.tags.length) await em.insert(KbArticleTagRow, row.tags.map((tag) => ({ tag, articleId: row.id })));
    await index(em, row);
  }

  /** Apply changes (a patch, or a restored snapshot) as a new version. */
  private async save(tx: WriteContext, actor: Actor, id: string | number, patch: Partial<Snapshot>, note: string, type: string): Promise<Article> {
    const reader = await this.reader(actor, tx.em);
    const tree = await Tree.load(tx.em);
    const row = await tx.em.findOne(KbArticleRow, { where: { id: parseId(id) } });
    if (!row || !tree.mayRead(reader, row.categoryId)) throw new NotFound('article', String(id));
    requireEditIn(tree, reader, row.categoryId);
    if (patch.categoryId !== undefined) requireEditIn(tree, reader, patch.categoryId);
    const before = articleDto(row, tree);
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (row as unknown as Record<string, unknown>)[k] = v;
    if (row.kind !== before.kind) throw new InvalidInput('the kind of an article cannot change', [{ path: '/kind', message: 'cannot change' }]);
    validate(row);
    row.version += 1;
    row.updatedBy = actor.name;
    row.updatedAt = new Date();
    await tx.em.save(KbArticleRow, row);
    await this.afterSave(tx.em, row, actor, note);
    const after = articleDto(row, tree);
    await recordChange(this.store.events, tx, actor, { type, subjectType: 'kb_article', subjectId: String(row.id), before, after });
    return after;
  }

  async update(tx: WriteContext, actor: Actor, id: string | number, p: ArticlePatch): Promise<Article> {
    const tree = await Tree.load(tx.em);
    const patch: Partial<Snapshot> = {
      title: p.title, question: p.question, body: p.body, url: p.url, tags: p.tags ? [...new Set(p.tags)] : undefined, visibility: p.visibility,
      categoryId: this.resolveCategory(tree, p.category), validFrom: parseWhen(p.validFrom, '/validFrom'), validUntil: parseWhen(p.validUntil, '/validUntil'),
    };
    const saved = await this.save(tx, actor, id, patch, p.note ?? 'updated', 'kb.article.updated');
    return p.status && p.status !== saved.status ? this.transition(tx, actor, id, p.status) : saved;
  }

  async transition(tx: WriteContext, actor: Actor, id: string | number, to: KbStatus): Promise<Article> {
    const reader = await this.reader(actor, tx.em);
    const tree = await Tree.load(tx.em);
    const row = await tx.em.findOne(KbArticleRow, { where: { id: parseId(id) } });
    if (!row || !tree.mayRead(reader, row.categoryId)) throw new NotFound('article', String(id));
    requireEditIn(tree, reader, row.categoryId);
    const from = row.status as KbStatus;
    if (!TRANSITIONS[from].includes(to)) {
      throw new Conflict(`an article in ${from} cannot go to ${to} (allowed: ${TRANSITIONS[from].join(', ')})`, [{ path: '/status', message: `${from} -> ${to} is not allowed` }]);
    }
    if (to === 'published' && row.kind === 'attachment' && !row.fileSha256) throw new Conflict('an attachment article needs its file before it is published');
    const before = articleDto(row, tree);
    row.status = to;
    row.updatedBy = actor.name;
    row.updatedAt = new Date();
    await tx.em.save(KbArticleRow, row);
    const after = articleDto(row, tree);
    await recordChange(this.store.events, tx, actor, { type: EVENT_OF[to], subjectType: 'kb_article', subjectId: String(row.id), before, after });
    return after;
  }

  async delete(tx: WriteContext, actor: Actor, id: string | number): Promise<void> {
    const reader = await this.reader(actor, tx.em);
    const tree = await Tree.load(tx.em);
    const row = await tx.em.findOne(KbArticleRow, { where: { id: parseId(id) } });
    if (!row || !tree.mayRead(reader, row.categoryId)) throw new NotFound('article', String(id));
    requireEditIn(tree, reader, row.categoryId);
    const before = articleDto(row, tree);
    await unindex(tx.em, row.id);
    await tx.em.delete(KbArticleTagRow, { articleId: row.id });
    await tx.em.delete(KbVersionRow, { articleId: row.id });
    await tx.em.delete(KbArticleRow, { id: row.id });
    await recordChange(this.store.events, tx, actor, { type: 'kb.article.deleted', subjectType: 'kb_article', subjectId: String(row.id), before });
  }

  /** Attach a stored file (db/files.ts) to an attachment article: a new version. */
  async attach(tx: WriteContext, actor: Actor, id: string | number, file: { sha256: string; name: string; size: number; contentType: string }): Promise<Article> {
    const { row } = await this.visible(actor, id, tx.em);
    if (row.kind !== 'attachment') throw new InvalidInput(`article ${row.id} is a ${row.kind}, not an attachment`);
    await tx.em.update(KbArticleRow, { id: row.id }, { fileSha256: file.sha256, fileName: file.name, fileSize: file.size, fileType: file.contentType });
    return this.save(tx, actor, id, {}, `file ${file.name} (${file.size} bytes)`, 'kb.article.updated');
  }

  async history(actor: Actor, id: string | number): Promise<Version[]> {
    const { row } = await this.visible(actor, id);
    const rows = await this.store.ds.manager.find(KbVersionRow, { where: { articleId: row.id }, order: { version: 'DESC' } });
    return rows.map((v) => ({ version: v.version, author: v.author, note: v.note, createdAt: v.createdAt.toISOString(), title: String(v.data['title'] ?? '') }));
  }

  private async versions(articleId: number, versions: number[]): Promise<Map<number, KbVersionRow>> {
    const rows = await this.store.ds.manager.find(KbVersionRow, { where: { articleId, version: In(versions) } });
    const out = new Map(rows.map((r) => [r.version, r]));
    for (const v of versions) if (!out.has(v)) throw new NotFound(`version of article ${articleId}`, v);
    return out;
  }

  async diff(actor: Actor, id: string | number, from: number, to?: number): Promise<Diff> {
    const { row } = await this.visible(actor, id);
    const target = to ?? row.version;
    const v = await this.versions(row.id, [from, target]);
    const a = v.get(from)!.data;
    const b = v.get(target)!.data;
    const fields: Diff['fields'] = [];
    for (const k of SNAPSHOT) {
      const x = a[k] ?? null;
      const y = b[k] ?? null;
      if (JSON.stringify(x) === JSON.stringify(y)) continue;
      if (k === 'title' || k === 'question' || k === 'body') fields.push({ field: k, lines: lineDiff(String(x ?? ''), String(y ?? '')) });
      else fields.push({ field: k, lines: [{ op: '-', text: JSON.stringify(x) }, { op: '+', text: JSON.stringify(y) }] });
    }
    return { from, to: target, fields };
  }

  async restore(tx: WriteContext, actor: Actor, id: string | number, version: number): Promise<Article> {
    const articleId = parseId(id);
    const rows = await tx.em.find(KbVersionRow, { where: { articleId, version } });
    if (!rows[0]) throw new NotFound(`version of article ${articleId}`, version);
    const d = rows[0].data;
    const when = (x: unknown) => (x === null || x === undefined ? null : new Date(String(x)));
    const snap: Partial<Snapshot> = {
      title: String(d['title']), question: (d['question'] as string | null) ?? null, body: String(d['body'] ?? ''), url: (d['url'] as string | null) ?? null,
      categoryId: (d['categoryId'] as number | null) ?? null, tags: (d['tags'] as string[]) ?? [], visibility: String(d['visibility'] ?? 'internal'),
      validFrom: when(d['validFrom']), validUntil: when(d['validUntil']),
    };
    // A category deleted since then: the article lands without one.
    const tree = await Tree.load(tx.em);
    if (snap.categoryId !== null && snap.categoryId !== undefined && !tree.byId.has(snap.categoryId)) snap.categoryId = null;
    return this.save(tx, actor, articleId, snap, `restored version ${version}`, 'kb.article.restored');
  }
}
