/**
 * The knowledge base as one object for the API: articles (articles.ts), categories, rules and editors
 * (categories.ts), search and suggestions (search.ts), attachment files (the server's one file store,
 * db/files.ts) and phrase rendering (phrase.ts). See ARCHITECTURE.md "Knowledge base".
 */
import type { FileStore } from '../db/files.js';
import type { WriteContext } from '../db/writer.js';
import { InvalidInput } from '../errors.js';
import type { Actor, Store } from '../events/changes.js';
import { Articles } from './articles.js';
import { Categories } from './categories.js';
import { renderPhrase } from './phrase.js';
import type { Article, FileData, Rendered, UploadInput } from './schemas.js';
import { Search } from './search.js';

export class Kb {
  readonly articles: Articles;
  readonly categories: Categories;
  readonly search: Search;

  constructor(store: Store, readonly files: FileStore) {
    this.articles = new Articles(store);
    this.categories = new Categories(store);
    this.search = new Search(store, this.articles);
  }

  async render(actor: Actor, id: string, vars: Record<string, string>): Promise<Rendered> {
    const a = await this.articles.get(actor, id);
    if (a.kind !== 'phrase') throw new InvalidInput(`article ${a.id} is a ${a.kind}, not a phrase`);
    return renderPhrase(a.body, vars);
  }

  /** Store the file first (content-addressed, idempotent), then attach it in the write transaction. */
  async upload(write: <T>(fn: (tx: WriteContext, actor: Actor) => Promise<T>) => Promise<T>, id: string, input: UploadInput): Promise<Article> {
    const { sha256, size } = await this.files.put(input.base64);
    return write((tx, actor) => this.articles.attach(tx, actor, id, { sha256, size, name: input.name, contentType: input.contentType }));
  }

  async download(actor: Actor, id: string): Promise<FileData> {
    const a = await this.articles.get(actor, id);
    if (!a.attachment) throw new InvalidInput(`article ${a.id} has no file`);
    const data = await this.files.get(a.attachment.sha256);
    return { name: a.attachment.name, contentType: a.attachment.contentType, size: data.length, sha256: a.attachment.sha256, base64: data.toString('base64') };
  }
}
