/** The knowledge base part of the typed client (`client.kb`); types come from kb/schemas.ts (type-only imports). */
import type {
  Article, ArticleInput, ArticlePage, ArticlePatch, ArticleQuery, Category, CategoryRules, Diff, Editor, FileData, KbStatus, Rendered, SearchHit, SearchQuery,
  SearchResult, SuggestQuery, Suggestion, UploadInput, Version,
} from '../kb/schemas.js';

export type {
  Article, ArticleInput, ArticlePage, ArticlePatch, ArticleQuery, Category, CategoryRules, Diff, Editor, FileData, KbStatus, Rendered, SearchHit, SearchQuery,
  SearchResult, SuggestQuery, Suggestion, UploadInput, Version,
};

type Requester = { request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number | boolean | undefined>): Promise<T> };

const enc = encodeURIComponent;
const one = (id: number | string) => `/v1/kb/articles/${enc(String(id))}`;
const cat = (path: string) => `/v1/kb/categories/${enc(path)}`;

export class KbClient {
  constructor(private readonly c: Requester) {}

  articles = {
    list: (q: ArticleQuery = {}): Promise<ArticlePage> => this.c.request('GET', '/v1/kb/articles', undefined, q),
    get: (id: number | string): Promise<Article> => this.c.request('GET', one(id)),
    create: (input: ArticleInput): Promise<Article> => this.c.request('POST', '/v1/kb/articles', input),
    update: (id: number | string, patch: ArticlePatch): Promise<Article> => this.c.request('PATCH', one(id), patch),
    delete: (id: number | string): Promise<void> => this.c.request('DELETE', one(id)),
    /** draft -> review -> published -> archived (kb/articles.ts TRANSITIONS). */
    setStatus: (id: number | string, status: KbStatus): Promise<Article> => this.c.request('POST', `${one(id)}/status`, { status }),
    versions: (id: number | string): Promise<Version[]> => this.c.request('GET', `${one(id)}/versions`),
    diff: (id: number | string, from: number, to?: number): Promise<Diff> => this.c.request('GET', `${one(id)}/diff`, undefined, { from, to }),
    restore: (id: number | string, version: number): Promise<Article> => this.c.request('POST', `${one(id)}/restore`, { version }),
    render: (id: number | string, vars: Record<string, string>): Promise<Rendered> => this.c.request('POST', `${one(id)}/render`, { vars }),
    upload: (id: number | string, input: UploadInput): Promise<Article> => this.c.request('PUT', `${one(id)}/file`, input),
    download: (id: number | string): Promise<FileData> => this.c.request('GET', `${one(id)}/file`),
  };

  search(q: SearchQuery): Promise<SearchResult> {
    return this.c.request('GET', '/v1/kb/search', undefined, q);
  }
  suggest(q: SuggestQuery): Promise<Suggestion[]> {
    return this.c.request('GET', '/v1/kb/suggest', undefined, q);
  }

  categories = {
    list: (): Promise<Category[]> => this.c.request('GET', '/v1/kb/categories'),
    create: (path: string): Promise<Category> => this.c.request('POST', '/v1/kb/categories', { path }),
    move: (path: string, parent: string | null): Promise<Category> => this.c.request('POST', `${cat(path)}/move`, { parent }),
    delete: (path: string): Promise<void> => this.c.request('DELETE', cat(path)),
    setRules: (path: string, rules: CategoryRules['rules']): Promise<Category> => this.c.request('PUT', `${cat(path)}/rules`, { rules }),
  };

  editors = {
    list: (): Promise<Editor[]> => this.c.request('GET', '/v1/kb/editors'),
    add: (user: string): Promise<Editor> => this.c.request('PUT', `/v1/kb/editors/${enc(user)}`),
    remove: (user: string): Promise<void> => this.c.request('DELETE', `/v1/kb/editors/${enc(user)}`),
  };
}
