/** CRM routes (crm/): customers, lookup, notes, timeline, duplicates, merge, import/export, custom fields, privacy (export, erase). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Personalization, Personalized } from '../../crm/personalization.js';
import * as S from '../../crm/schemas.js';
import { can } from '../../security/roles.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

const Id = Type.Object({ id: Type.String({ description: 'customer id' }) });
const Limit = (max: number) => Type.Optional(Type.Integer({ minimum: 1, maximum: max }));
const Page = (max: number) => Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'customers with a larger id (the previous page\'s `next`)' })),
  limit: Limit(max),
}, { additionalProperties: false });

export function registerCustomerRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['customers'];
  const c = s.crm;
  addRoute(app, s, {
    method: 'GET', url: '/v1/customers', access: 'customers:read', summary: 'List customers by id, paged', tags,
    querystring: Type.Object({
      ...Page(1000).properties,
      q: Type.Optional(Type.String({ maxLength: 200, description: 'words of the name or company' })),
      tag: Type.Optional(Type.String({ maxLength: 40 })),
    }, { additionalProperties: false }),
    response: S.CustomerPage,
    handler: async ({ query }) => c.customers.list(query),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/customers/lookup', access: 'customers:read', summary: 'Find customers by phone (any format) or email', tags,
    querystring: Type.Object({
      phone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    }, { additionalProperties: false }),
    response: Type.Object({ normalized: Type.String({ description: 'the E.164 number or lower-cased address looked up' }), customers: Type.Array(S.Customer) }),
    handler: async ({ query }) => c.customers.lookup(query),
  });
  // The ACD's view of a caller (crm/personalization.ts): VIP priority, preferred and last agent, language.
  const personalization = new Personalization(s.store, s.config.crm);
  addRoute(app, s, {
    method: 'GET', url: '/v1/customers/personalization', access: 'customers:read',
    summary: 'Personalize a call by the caller\'s number: customer, VIP level and queue priority, preferred and last agent, language', tags,
    querystring: Type.Object({ phone: Type.String({ minLength: 1, maxLength: 64, description: 'the caller\'s number, any format' }) }, { additionalProperties: false }),
    response: Personalized,
    handler: async ({ query }) => personalization.forCaller(query.phone),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/customers/export', access: 'customers:export', summary: 'Export customers, paged by id', tags,
    querystring: Page(5000), response: S.CustomerPage,
    handler: async ({ query }) => c.customers.list(query),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/customers/import', access: 'customers:write', summary: 'Import a batch of customer rows (dry run possible)', tags,
    body: S.ImportInput, response: S.ImportReport, bodyLimit: 32 * 1024 * 1024,
    handler: async ({ body, actor }) => c.importer.run(actor, body),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/customers', access: 'customers:write', summary: 'Create a customer', tags, body: S.CustomerInput,
    response: S.Customer, status: 201,
    handler: async ({ body, write }) => write((tx, actor) => c.customers.create(tx, actor, body)),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/customers/:id', access: 'customers:read', summary: 'Show a customer', tags, params: Id, response: S.Customer,
    handler: async ({ params }) => c.customers.get(params.id),
  });
  addRoute(app, s, {
    method: 'PATCH', url: '/v1/customers/:id', access: 'customers:write', summary: 'Update a customer (given lists replace stored ones)', tags,
    params: Id, body: S.CustomerPatch, response: S.Customer,
    handler: async ({ params, body, write }) => write((tx, actor) => c.customers.update(tx, actor, params.id, body)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/customers/:id', access: 'customers:write', summary: 'Delete a customer with its phones, emails and notes', tags,
    params: Id, status: 204,
    handler: async ({ params, write }) => write((tx, actor) => c.customers.delete(tx, actor, params.id)),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/customers/:id/export', access: 'privacy:read', summary: 'Everything held about one customer (subject access)', tags,
    params: Id,
    response: Type.Object({
      customer: S.Customer,
      notes: Type.Array(Type.Unknown()),
      tickets: Type.Array(Type.Object({ ticket: Type.Unknown(), comments: Type.Array(Type.Unknown()), history: Type.Array(Type.Unknown()), attachments: Type.Array(Type.Unknown()) })),
      calls: Type.Array(Type.Object({ call: Type.Unknown(), legs: Type.Array(Type.Unknown()) })),
      audit: Type.Array(Type.Unknown()),
      events: Type.Array(Type.Unknown()),
    }),
    handler: async ({ params }) => c.privacy.export(params.id),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/customers/:id/erase', access: 'privacy:erase', summary: 'Erase a customer everywhere, leaving one audit record', tags,
    params: Id,
    response: Type.Object({ customerId: Type.Integer(), changed: Type.Record(Type.String(), Type.Integer(), { description: 'rows changed or deleted per table' }) }),
    handler: async ({ params, write }) => write((tx, actor) => c.privacy.erase(tx, actor, params.id)),
  });
  registerCustomerDetailRoutes(app, s);
  registerCustomerFieldRoutes(app, s);
}

function registerCustomerDetailRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['customers'];
  const c = s.crm;
  addRoute(app, s, {
    method: 'GET', url: '/v1/customers/:id/notes', access: 'customers:read', summary: 'Notes on a customer, newest first', tags,
    params: Id, response: Type.Array(S.Note),
    handler: async ({ params }) => c.notes.list(params.id),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/customers/:id/notes', access: 'customer-notes:write', summary: 'Add a note to a customer', tags,
    params: Id, body: S.NoteInput, response: S.Note, status: 201,
    handler: async ({ params, body, write }) => write((tx, actor) => c.notes.add(tx, actor, params.id, body)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/customers/:id/notes/:noteId', access: 'customer-notes:write',
    summary: 'Delete a note (agents: only their own)', tags, params: Type.Object({ id: Type.String(), noteId: Type.String() }), status: 204,
    handler: async ({ params, principal, write }) =>
      write((tx, actor) => c.notes.delete(tx, actor, params.id, params.noteId, can(principal.user.role, 'customers:write'))),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/customers/:id/timeline', access: 'customers:read', summary: 'Notes and calls of a customer, newest first', tags,
    params: Id, querystring: Type.Object({ limit: Limit(1000) }, { additionalProperties: false }), response: Type.Array(S.TimelineItem),
    handler: async ({ params, query }) => c.notes.timeline(params.id, query.limit),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/customers/:id/duplicates', access: 'customers:read', summary: 'Possible duplicates of a customer, with reasons', tags,
    params: Id, response: Type.Array(S.Duplicate),
    handler: async ({ params }) => c.duplicates.find(params.id),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/customers/:id/merge', access: 'customers:write', summary: 'Merge another customer into this one and delete it', tags,
    params: Id, body: S.MergeInput, response: S.Customer,
    handler: async ({ params, body, write }) => write((tx, actor) => c.duplicates.merge(tx, actor, params.id, body.from)),
  });
}

function registerCustomerFieldRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['customers'];
  const f = s.crm.fields;
  addRoute(app, s, {
    method: 'GET', url: '/v1/customer-fields', access: 'customers:read', summary: 'List the custom fields of customers', tags,
    response: Type.Array(S.CustomField), handler: async () => f.list(),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/customer-fields', access: 'customer-fields:write', summary: 'Define a custom field', tags,
    body: S.CustomFieldInput, response: S.CustomField, status: 201,
    handler: async ({ body, write }) => write((tx, actor) => f.create(tx, actor, body)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/customer-fields/:name', access: 'customer-fields:write', summary: 'Delete a custom field and its values', tags,
    params: Type.Object({ name: Type.String() }), status: 204,
    handler: async ({ params, write }) => write((tx, actor) => f.delete(tx, actor, params.name)),
  });
}
