/**
 * Shared pieces of `hotline kb ...`: table and record views, the article flags of create/update, and
 * the Markdown form of an article (YAML front matter + body) used by `kb import` and `kb export`.
 *
 * Front matter keys: id (export only; an import with an id updates that article when it exists), title,
 * kind, question (faq), url (link), category (path), tags, status, visibility, validFrom, validUntil.
 * The body is everything after the closing `---`.
 */
import type { Article, ArticleInput, ArticlePatch, Category, SearchHit } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { parse, stringify } from 'yaml';
import type { Column } from './output.js';

type Pairs = Array<[string, unknown]>;

/** Mirrors the server's kb/schemas.ts KINDS, STATUSES and VISIBILITIES. */
export const KB_KINDS = ['faq', 'knowledge', 'promotion', 'phrase', 'link', 'attachment'] as const;
export const KB_STATUSES = ['draft', 'review', 'published', 'archived'] as const;
export const KB_VISIBILITIES = ['internal', 'public'] as const;

export const articleColumns: Column<Article>[] = [
  { header: 'id', get: (a) => a.id },
  { header: 'kind', get: (a) => a.kind },
  { header: 'status', get: (a) => (a.expired ? `${a.status} (expired)` : a.status) },
  { header: 'category', get: (a) => a.category ?? '-' },
  { header: 'v', get: (a) => a.version },
  { header: 'title', get: (a) => a.title },
];

export const articleRecord = (a: Article): Pairs => [
  ['id', a.id],
  ['kind', a.kind],
  ['title', a.title],
  ...(a.question !== null ? ([['question', a.question]] as Pairs) : []),
  ...(a.url !== null ? ([['url', a.url]] as Pairs) : []),
  ['category', a.category],
  ['tags', a.tags.join(', ') || '-'],
  ['status', a.status],
  ['visibility', a.visibility],
  ...(a.validFrom || a.validUntil ? ([['valid', `${a.validFrom ?? '…'} – ${a.validUntil ?? '…'}${a.expired ? ' (expired)' : ''}`]] as Pairs) : []),
  ...(a.attachment ? ([['file', `${a.attachment.name} (${a.attachment.contentType}, ${a.attachment.size} bytes, sha256 ${a.attachment.sha256})`]] as Pairs) : []),
  ['version', a.version],
  ['updated', `${a.updatedAt} by ${a.updatedBy}`],
  ['body', a.body ? `\n${a.body}` : '-'],
];

export const hitColumns: Column<SearchHit>[] = [
  { header: 'id', get: (h) => h.article.id },
  { header: 'score', get: (h) => h.score.toFixed(3) },
  { header: 'kind', get: (h) => h.article.kind },
  { header: 'title', get: (h) => h.title },
  { header: 'snippet', get: (h) => h.snippet },
];

export const categoryColumns: Column<Category>[] = [
  { header: 'path', get: (c) => c.path },
  { header: 'rules', get: (c) => c.rules.map((r) => `${r.role}:${r.access}`).join(',') || '-' },
];

export const articleFlags = {
  title: Flags.string({ description: 'title' }),
  body: Flags.string({ description: 'body text (Markdown); `-` reads it from stdin' }),
  question: Flags.string({ description: 'the question (faq)' }),
  url: Flags.string({ description: 'the URL (link)' }),
  category: Flags.string({ description: 'category path, e.g. billing/refunds' }),
  tag: Flags.string({ description: 'tag (repeatable; on update replaces all tags)', multiple: true }),
  visibility: Flags.string({ description: 'internal or public', options: [...KB_VISIBILITIES] }),
  'valid-from': Flags.string({ description: 'promotion start (ISO 8601)' }),
  'valid-until': Flags.string({ description: 'promotion end (ISO 8601)' }),
  note: Flags.string({ description: 'version note' }),
};

export async function readBody(v: string | undefined): Promise<string | undefined> {
  if (v !== '-') return v;
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An article as Markdown with YAML front matter. */
export function toMarkdown(a: Article): string {
  const meta: Record<string, unknown> = { id: a.id, title: a.title, kind: a.kind };
  if (a.question !== null) meta['question'] = a.question;
  if (a.url !== null) meta['url'] = a.url;
  if (a.category !== null) meta['category'] = a.category;
  if (a.tags.length) meta['tags'] = a.tags;
  meta['status'] = a.status;
  meta['visibility'] = a.visibility;
  if (a.validFrom) meta['validFrom'] = a.validFrom;
  if (a.validUntil) meta['validUntil'] = a.validUntil;
  return `---\n${stringify(meta).trimEnd()}\n---\n${a.body}${a.body.endsWith('\n') || a.body === '' ? '' : '\n'}`;
}

export interface ParsedArticle {
  id?: number;
  input: ArticleInput;
}

const KEYS = new Set(['id', 'title', 'kind', 'question', 'url', 'category', 'tags', 'status', 'visibility', 'validFrom', 'validUntil']);

/** Parse one Markdown file; every problem is listed (nothing is sent for a file with problems). */
export function fromMarkdown(text: string): { article?: ParsedArticle; errors: string[] } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!m) return { errors: ['no YAML front matter (the file must start with a --- line)'] };
  let meta: unknown;
  try {
    meta = parse(m[1]!);
  } catch (err) {
    return { errors: [`front matter: ${(err as Error).message.split('\n')[0]}`] };
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return { errors: ['front matter must be a mapping of keys'] };
  const f = meta as Record<string, unknown>;
  const errors: string[] = [];
  for (const k of Object.keys(f)) if (!KEYS.has(k)) errors.push(`front matter: unknown key ${k}`);
  const str = (k: string): string | undefined => {
    const v = f[k];
    if (v === undefined || v === null) return undefined;
    if (v instanceof Date) return v.toISOString();
    if (typeof v !== 'string' && typeof v !== 'number') {
      errors.push(`front matter: ${k} must be text`);
      return undefined;
    }
    return String(v);
  };
  const title = str('title');
  if (!title) errors.push('front matter: title is required');
  const kind = str('kind') ?? 'knowledge';
  if (!(KB_KINDS as readonly string[]).includes(kind)) errors.push(`front matter: kind must be one of ${KB_KINDS.join(', ')}`);
  const status = str('status');
  if (status !== undefined && !(KB_STATUSES as readonly string[]).includes(status)) errors.push(`front matter: status must be one of ${KB_STATUSES.join(', ')}`);
  const visibility = str('visibility');
  if (visibility !== undefined && !(KB_VISIBILITIES as readonly string[]).includes(visibility)) errors.push('front matter: visibility must be internal or public');
  const tags = f['tags'] === undefined ? undefined : Array.isArray(f['tags']) ? f['tags'].map(String) : String(f['tags']).split(',').map((t) => t.trim()).filter(Boolean);
  const idText = str('id');
  if (idText !== undefined && !/^[1-9][0-9]*$/.test(idText)) errors.push('front matter: id must be a positive whole number');
  if (kind === 'faq' && !str('question')) errors.push('front matter: question is required for a faq');
  if (errors.length) return { errors };
  const input: ArticleInput = {
    kind: kind as ArticleInput['kind'], title: title!, body: m[2]!.replace(/\n$/, ''),
    ...(str('question') !== undefined ? { question: str('question')! } : {}),
    ...(str('url') !== undefined ? { url: str('url')! } : {}),
    ...(str('category') !== undefined ? { category: str('category')! } : {}),
    ...(tags ? { tags } : {}),
    ...(status ? { status: status as ArticleInput['status'] } : {}),
    ...(visibility ? { visibility: visibility as ArticleInput['visibility'] } : {}),
    ...(str('validFrom') !== undefined ? { validFrom: str('validFrom')! } : {}),
    ...(str('validUntil') !== undefined ? { validUntil: str('validUntil')! } : {}),
  };
  return { article: { ...(idText ? { id: Number(idText) } : {}), input }, errors: [] };
}

/** The patch that makes an existing article equal to the parsed one (status last, in the same request). */
export function patchOf(input: ArticleInput): ArticlePatch {
  const { kind: _kind, ...rest } = input;
  return { question: null, url: null, category: null, tags: [], validFrom: null, validUntil: null, body: '', ...rest };
}

export function slug(a: Pick<Article, 'id' | 'title'>): string {
  const s = a.title.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `${a.id}${s ? `-${s}` : ''}.md`;
}
