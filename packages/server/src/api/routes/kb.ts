/** Knowledge base routes (kb/): articles, versions, search, suggestions, phrases, files, categories, rules, editors. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import * as S from '../../kb/schemas.js';
import { Forbidden } from '../../errors.js';
import { can } from '../../security/roles.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

const Id = Type.Object({ id: Type.String({ description: 'article id' }) });
const Path = Type.Object({ path: Type.String({ description: 'category path, `/` encoded as %2F' }) });

/**
 * `ticket=<id>` in a suggestion query: the ticket's subject (when none is given), its tags and its
 * customer's tags join the query. Read with the caller's tickets:read; an unknown ticket is 404.
 */
async function withTicket(s: Services, role: string, q: S.SuggestQuery): Promise<S.SuggestQuery> {
  if (q.ticket === undefined) return q;
  if (!can(role, 'tickets:read')) throw new Forbidden(`role ${role} may not read tickets (needs tickets:read)`);
  const ticket = await s.tickets.tickets.get(q.ticket);
  const customerTags = ticket.customerId === null ? [] : (await s.crm.customers.get(ticket.customerId)).tags;
  const tags = [q.tags ?? '', ...ticket.tags, ...customerTags].filter((t) => t !== '').join(',');
  return { ...q, subject: q.subject ?? ticket.subject, tags };
}

export function registerKbRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['kb'];
  const kb = s.kb;
  const a = kb.articles;
  addRoute(app, s, {
    method: 'GET', url: '/v1/kb/articles', access: 'kb:read', summary: 'List articles the caller may read, by id, paged', tags,
    querystring: S.ArticleQuery, response: S.ArticlePage, handler: async ({ query, actor }) => a.list(actor, query),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/kb/articles', access: 'kb:edit', summary: 'Create an article (KB editors)', tags,
    body: S.ArticleInput, response: S.Article, status: 201, handler: async ({ body, write }) => write((tx, actor) => a.create(tx, actor, body)),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/kb/articles/:id', access: 'kb:read', summary: 'Show an article', tags, params: Id, response: S.Article,
    handler: async ({ params, actor }) => a.get(actor, params.id),
  });
  addRoute(app, s, {
    method: 'PATCH', url: '/v1/kb/articles/:id', access: 'kb:edit', summary: 'Update an article (a new version)', tags,
    params: Id, body: S.ArticlePatch, response: S.Article, handler: async ({ params, body, write }) => write((tx, actor) => a.update(tx, actor, params.id, body)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/kb/articles/:id', access: 'kb:edit', summary: 'Delete an article with its versions', tags, params: Id, status: 204,
    handler: async ({ params, write }) => write((tx, actor) => a.delete(tx, actor, params.id)),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/kb/articles/:id/status', access: 'kb:edit', summary: 'Move an article along draft -> review -> published -> archived', tags,
    params: Id, body: S.Transition, response: S.Article, handler: async ({ params, body, write }) => write((tx, actor) => a.transition(tx, actor, params.id, body.status)),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/kb/articles/:id/versions', access: 'kb:read', summary: 'Version history, newest first', tags, params: Id,
    response: Type.Array(S.Version), handler: async ({ params, actor }) => a.history(actor, params.id),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/kb/articles/:id/diff', access: 'kb:read', summary: 'Line diff between two versions', tags, params: Id,
    querystring: Type.Object({ from: Type.Integer({ minimum: 1 }), to: Type.Optional(Type.Integer({ minimum: 1, description: 'default: the current version' })) }, { additionalProperties: false }),
    response: S.Diff, handler: async ({ params, query, actor }) => a.diff(actor, params.id, query.from, query.to),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/kb/articles/:id/restore', access: 'kb:edit', summary: 'Restore a version (saved as a new version)', tags, params: Id,
    body: Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), response: S.Article,
    handler: async ({ params, body, write }) => write((tx, actor) => a.restore(tx, actor, params.id, body.version)),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/kb/articles/:id/render', access: 'kb:read', summary: 'Fill a phrase\'s placeholders', tags, params: Id,
    body: S.RenderInput, response: S.Rendered, handler: async ({ params, body, actor }) => kb.render(actor, params.id, body.vars),
  });
  addRoute(app, s, {
    method: 'PUT', url: '/v1/kb/articles/:id/file', access: 'kb:edit', summary: 'Upload the file of an attachment article (base64)', tags, params: Id,
    body: S.UploadInput, response: S.Article, handler: async ({ params, body, write }) => kb.upload(write, params.id, body),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/kb/articles/:id/file', access: 'kb:read', summary: 'Download the file of an attachment article (base64)', tags, params: Id,
    response: S.FileData, handler: async ({ params, actor }) => kb.download(actor, params.id),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/kb/search', access: 'kb:read', summary: 'Full-text search (Chinese and English), ranked, matches marked « »', tags,
    querystring: S.SearchQuery, response: S.SearchResult, handler: async ({ query, actor }) => kb.search.search(actor, query),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/kb/suggest', access: 'kb:read', summary: 'Articles for a call or ticket: by queue, flow path, tags and subject', tags,
    querystring: S.SuggestQuery, response: Type.Array(S.Suggestion),
    handler: async ({ query, actor, principal }) => kb.search.suggest(actor, await withTicket(s, principal.user.role, query)),
  });
  registerKbCategoryRoutes(app, s);
}

function registerKbCategoryRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['kb'];
  const c = s.kb.categories;
  addRoute(app, s, {
    method: 'GET', url: '/v1/kb/categories', access: 'kb:read', summary: 'The category tree (what the caller may read)', tags,
    response: Type.Array(S.Category), handler: async ({ actor }) => c.list(actor),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/kb/categories', access: 'kb:edit', summary: 'Create a category (and missing parents)', tags,
    body: S.CategoryInput, response: S.Category, status: 201, handler: async ({ body, write }) => write((tx, actor) => c.create(tx, actor, body.path)),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/kb/categories/:path/move', access: 'kb:edit', summary: 'Move a category (no cycles)', tags, params: Path,
    body: S.CategoryMove, response: S.Category, handler: async ({ params, body, write }) => write((tx, actor) => c.move(tx, actor, params.path, body.parent)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/kb/categories/:path', access: 'kb:edit', summary: 'Delete an empty category', tags, params: Path, status: 204,
    handler: async ({ params, write }) => write((tx, actor) => c.delete(tx, actor, params.path)),
  });
  addRoute(app, s, {
    method: 'PUT', url: '/v1/kb/categories/:path/rules', access: 'kb:admin', summary: 'Set who may read or edit a category subtree', tags, params: Path,
    body: S.CategoryRules, response: S.Category, handler: async ({ params, body, write }) => write((tx, actor) => c.setRules(tx, actor, params.path, body)),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/kb/editors', access: 'kb:admin', summary: 'Users holding the KB editor capability', tags,
    response: Type.Array(S.Editor), handler: async () => c.editors(),
  });
  addRoute(app, s, {
    method: 'PUT', url: '/v1/kb/editors/:user', access: 'kb:admin', summary: 'Make a user a KB editor', tags, params: Type.Object({ user: Type.String() }),
    response: S.Editor, handler: async ({ params, write }) => write((tx, actor) => c.addEditor(tx, actor, params.user)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/kb/editors/:user', access: 'kb:admin', summary: 'Take the KB editor capability from a user', tags,
    params: Type.Object({ user: Type.String() }), status: 204, handler: async ({ params, write }) => write((tx, actor) => c.removeEditor(tx, actor, params.user)),
  });
}
