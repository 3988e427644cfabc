/** TypeBox schemas of the knowledge base: API validation, responses, OpenAPI and the client's types. */
import { Type, type Static } from '@sinclair/typebox';
import { Strict } from '../acd/schemas.js';

export const KINDS = ['faq', 'knowledge', 'promotion', 'phrase', 'link', 'attachment'] as const;
export const STATUSES = ['draft', 'review', 'published', 'archived'] as const;
export const VISIBILITIES = ['internal', 'public'] as const;
export const RULE_ACCESS = ['read', 'edit'] as const;

const lit = <T extends string>(values: readonly T[], description: string) => Type.Union(values.map((v) => Type.Literal(v)), { description });
export const Kind = lit(KINDS, 'faq, knowledge, promotion, phrase, link or attachment');
export const Status = lit(STATUSES, 'draft -> review -> published (-> archived); see kb/articles.ts TRANSITIONS');
export const Visibility = lit(VISIBILITIES, 'internal (staff only) or public');
export const KbTag = Type.String({ pattern: '^[^\\s,;]{1,40}$', description: '1-40 characters, no spaces, commas or semicolons' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const When = Type.String({ maxLength: 40, description: 'ISO 8601 date or time' });

export const Attachment = Strict({ sha256: Type.String(), name: Type.String(), size: Type.Integer(), contentType: Type.String() });

export const Article = Strict({
  id: Type.Integer(),
  kind: Kind,
  title: Type.String(),
  question: Type.Union([Type.String(), Type.Null()]),
  body: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
  category: Type.Union([Type.String(), Type.Null()], { description: 'category path' }),
  tags: Type.Array(Type.String()),
  status: Status,
  visibility: Visibility,
  validFrom: Type.Union([Type.String(), Type.Null()]),
  validUntil: Type.Union([Type.String(), Type.Null()]),
  /** Promotions outside their validity window. */
  expired: Type.Boolean({ description: 'a promotion outside its validity window (never suggested)' }),
  attachment: Type.Union([Attachment, Type.Null()]),
  version: Type.Integer(),
  createdBy: Type.String(),
  updatedBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const articleFields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  question: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  body: Type.Optional(Type.String({ maxLength: 60000 })),
  url: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
  category: Type.Optional(Nullable(Type.String({ maxLength: 255, description: 'category path, e.g. `billing/refunds`' }))),
  tags: Type.Optional(Type.Array(KbTag, { maxItems: 30 })),
  visibility: Type.Optional(Visibility),
  validFrom: Type.Optional(Type.Union([When, Type.Null()])),
  validUntil: Type.Optional(Type.Union([When, Type.Null()])),
  note: Type.Optional(Type.String({ maxLength: 200, description: 'version note' })),
};
export const ArticleInput = Strict({ kind: Kind, ...articleFields, status: Type.Optional(Status) });
export const ArticlePatch = Strict({
  ...articleFields, title: Type.Optional(articleFields.title),
  status: Type.Optional(Status),
});
export const Transition = Strict({ status: Status, note: Type.Optional(Type.String({ maxLength: 200 })) });

export const ArticleQuery = Type.Object({
  status: Type.Optional(Status),
  kind: Type.Optional(Kind),
  category: Type.Optional(Type.String({ maxLength: 255, description: 'category path; includes its subtree' })),
  tag: Type.Optional(KbTag),
  after: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
}, { additionalProperties: false });
export const ArticlePage = Strict({ articles: Type.Array(Article), next: Type.Union([Type.Integer(), Type.Null()]) });

export const Version = Strict({ version: Type.Integer(), author: Type.String(), note: Type.String(), createdAt: Type.String(), title: Type.String() });
export const DiffLine = Strict({ op: Type.Union([Type.Literal(' '), Type.Literal('-'), Type.Literal('+')]), text: Type.String() });
export const Diff = Strict({
  from: Type.Integer(), to: Type.Integer(),
  fields: Type.Array(Strict({ field: Type.String(), lines: Type.Array(DiffLine) }), { description: 'changed fields only; title/question/body as line diffs, others as -old/+new' }),
});

export const SearchHit = Strict({
  article: Article,
  score: Type.Number(),
  title: Type.String({ description: 'the title with matches wrapped in « »' }),
  snippet: Type.String({ description: 'about 160 characters of the body around the first match, marked with « »' }),
});
export const SearchResult = Strict({ query: Type.String(), terms: Type.Array(Type.String(), { description: 'the index terms searched (all must match)' }), hits: Type.Array(SearchHit) });
export const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 200 }),
  kind: Type.Optional(Kind),
  category: Type.Optional(Type.String({ maxLength: 255 })),
  status: Type.Optional(Status),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
}, { additionalProperties: false });
export const SuggestQuery = Type.Object({
  queue: Type.Optional(Type.String({ maxLength: 64, description: 'queue name; matched against article tags' })),
  flow: Type.Optional(Type.String({ maxLength: 255, description: 'flow path (`main/billing`); each segment is matched against tags' })),
  tags: Type.Optional(Type.String({ maxLength: 1000, description: 'comma-separated customer or ticket tags' })),
  subject: Type.Optional(Type.String({ maxLength: 500, description: 'free text (ticket subject, call reason): searched' })),
  ticket: Type.Optional(Type.String({ pattern: '^[0-9]+$', description: 'a ticket id: its subject, its tags and its customer\'s tags join the query (needs tickets:read)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
}, { additionalProperties: false });
export const Suggestion = Strict({ article: Article, score: Type.Number(), reasons: Type.Array(Type.String()) });

export const Category = Strict({ id: Type.Integer(), path: Type.String(), name: Type.String(), parent: Type.Union([Type.String(), Type.Null()]),
  rules: Type.Array(Strict({ role: Type.String(), access: lit(RULE_ACCESS, 'read or edit') })) });
export const CategoryInput = Strict({ path: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^/]+(/[^/]+)*$', description: 'names joined by `/`; parents are created as needed' }) });
export const CategoryMove = Strict({ parent: Type.Union([Type.String({ maxLength: 255 }), Type.Null()], { description: 'new parent path, or null for the root' }) });
export const CategoryRules = Strict({
  rules: Type.Array(Strict({ role: Type.String({ maxLength: 32 }), access: lit(RULE_ACCESS, 'read or edit') }), { maxItems: 10,
    description: 'who may read/edit this subtree (empty: inherit); roles not listed may not see it; admins always may' }),
});
export const Editor = Strict({ user: Type.String(), role: Type.String(), grantedBy: Type.String(), createdAt: Type.String() });
export const RenderInput = Strict({ vars: Type.Record(Type.String(), Type.String(), { description: '`customer.name`: `Ada`, ...' }) });
export const Rendered = Strict({ text: Type.String(), missing: Type.Array(Type.String()) });
export const UploadInput = Strict({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  contentType: Type.String({ minLength: 1, maxLength: 128 }),
  base64: Type.String({ description: 'the file, base64; the size is bounded by http.bodyLimit' }),
});
export const FileData = Strict({ name: Type.String(), contentType: Type.String(), size: Type.Integer(), sha256: Type.String(), base64: Type.String() });

export type Article = Static<typeof Article>;
export type ArticleInput = Static<typeof ArticleInput>;
export type ArticlePatch = Static<typeof ArticlePatch>;
export type ArticleQuery = Static<typeof ArticleQuery>;
export type ArticlePage = Static<typeof ArticlePage>;
export type Version = Static<typeof Version>;
export type Diff = Static<typeof Diff>;
export type SearchHit = Static<typeof SearchHit>;
export type SearchResult = Static<typeof SearchResult>;
export type SearchQuery = Static<typeof SearchQuery>;
export type SuggestQuery = Static<typeof SuggestQuery>;
export type Suggestion = Static<typeof Suggestion>;
export type Category = Static<typeof Category>;
export type CategoryRules = Static<typeof CategoryRules>;
export type Editor = Static<typeof Editor>;
export type Rendered = Static<typeof Rendered>;
export type UploadInput = Static<typeof UploadInput>;
export type FileData = Static<typeof FileData>;
export type KbStatus = (typeof STATUSES)[number];
