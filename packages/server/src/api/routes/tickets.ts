/** Ticket routes (tickets/): tickets, status transitions, assignment, comments, attachments, history, SLA clocks; business calendars; SLA policies. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FileData, UploadInput } from '../../kb/schemas.js';
import { can } from '../../security/roles.js';
import * as S from '../../tickets/schemas.js';
import { crudRoutes } from '../crud.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

const Id = Type.Object({ id: Type.String({ description: 'ticket id' }) });

export function registerTicketRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['tickets'];
  const t = s.tickets.tickets;
  const manage = (role: string) => can(role, 'tickets:manage');
  addRoute(app, s, {
    method: 'GET', url: '/v1/tickets', access: 'tickets:read', summary: 'List tickets by id, paged and filtered', tags,
    querystring: Type.Object({
      after: Type.Optional(Type.Integer({ minimum: 0, description: 'tickets with a larger id (the previous page\'s `next`)' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      status: Type.Optional(S.Status),
      assignee: Type.Optional(Type.String({ pattern: '^([0-9]{2,15}|none)$', description: 'an extension, or `none` for unassigned tickets' })),
      customerId: Type.Optional(Type.Integer({ minimum: 1 })),
      group: Type.Optional(Type.String({ maxLength: 64 })),
      priority: Type.Optional(S.Priority),
      tag: Type.Optional(Type.String({ maxLength: 40 })),
    }, { additionalProperties: false }),
    response: S.TicketPage,
    handler: async ({ query }) => t.list(query),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/tickets', access: 'tickets:write', summary: 'Create a ticket (by hand or from a call)', tags,
    body: S.TicketInput, response: S.Ticket, status: 201,
    handler: async ({ body, principal, write }) => write((tx, actor) => t.create(tx, actor, body, manage(principal.user.role))),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/tickets/:id', access: 'tickets:read', summary: 'Show a ticket', tags, params: Id, response: S.Ticket,
    handler: async ({ params }) => t.get(params.id),
  });
  addRoute(app, s, {
    method: 'PATCH', url: '/v1/tickets/:id', access: 'tickets:write', summary: 'Update a ticket (agents: only unassigned tickets or their own)', tags,
    params: Id, body: S.TicketPatch, response: S.Ticket,
    handler: async ({ params, body, principal, write }) => write((tx, actor) => t.update(tx, actor, params.id, body, manage(principal.user.role))),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/tickets/:id/status', access: 'tickets:write', summary: 'Change the status of a ticket (409 names the allowed targets)', tags,
    params: Id, body: S.StatusInput, response: S.Ticket,
    handler: async ({ params, body, principal, write }) => write((tx, actor) => t.setStatus(tx, actor, params.id, body.status, manage(principal.user.role))),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/tickets/:id/assign', access: 'tickets:write', summary: 'Assign a ticket to an agent, or unassign it (agents: only to themselves)', tags,
    params: Id, body: S.AssignInput, response: S.Ticket,
    handler: async ({ params, body, principal, write }) => write((tx, actor) => t.assign(tx, actor, params.id, body.assignee, manage(principal.user.role))),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/tickets/:id/comments', access: 'tickets:read', summary: 'Comments on a ticket, oldest first', tags,
    params: Id, response: Type.Array(S.TicketComment),
    handler: async ({ params }) => t.comments(params.id),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/tickets/:id/comments', access: 'tickets:write', summary: 'Comment on a ticket (internal unless public)', tags,
    params: Id, body: S.CommentInput, response: S.TicketComment, status: 201,
    handler: async ({ params, body, write }) => write((tx, actor) => t.comment(tx, actor, params.id, body)),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/tickets/:id/history', access: 'tickets:read', summary: 'Every change of a ticket (field, before, after, actor, at), oldest first', tags,
    params: Id, response: Type.Array(S.HistoryEntry),
    handler: async ({ params }) => t.history(params.id),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/tickets/:id/sla', access: 'tickets:read', summary: 'The SLA clocks of a ticket (due, paused, met, breached)', tags,
    params: Id, response: Type.Array(S.SlaTarget),
    handler: async ({ params }) => s.tickets.sla.targets(params.id),
  });
  registerAttachmentRoutes(app, s);
  registerCalendarRoutes(app, s);
}

function registerAttachmentRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['tickets'];
  const a = s.tickets.attachments;
  const One = Type.Object({ id: Type.String({ description: 'ticket id' }), attachment: Type.String({ description: 'attachment id' }) });
  addRoute(app, s, {
    method: 'GET', url: '/v1/tickets/:id/attachments', access: 'tickets:read', summary: 'Files attached to a ticket, oldest first', tags,
    params: Id, response: Type.Array(S.TicketAttachment), handler: async ({ params }) => a.list(params.id),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/tickets/:id/attachments', access: 'tickets:write', summary: 'Attach a file to a ticket (base64; size bounded by http.bodyLimit)', tags,
    params: Id, body: UploadInput, response: S.TicketAttachment, status: 201, handler: async ({ params, body, write }) => a.upload(write, params.id, body),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/tickets/:id/attachments/:attachment', access: 'tickets:read', summary: 'Download a file attached to a ticket (base64)', tags,
    params: One, response: FileData, handler: async ({ params }) => a.download(params.id, params.attachment),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/tickets/:id/attachments/:attachment', access: 'tickets:write', summary: 'Delete a ticket attachment (agents: only their own uploads)', tags,
    params: One, status: 204,
    handler: async ({ params, principal, write }) => write((tx, actor) => a.delete(tx, actor, params.id, params.attachment, can(principal.user.role, 'tickets:manage'))),
  });
}

function registerCalendarRoutes(app: FastifyInstance, s: Services): void {
  crudRoutes(app, s, {
    path: 'calendars', key: 'name', noun: 'a business calendar', plural: 'business calendars', tag: 'calendars',
    service: s.tickets.calendars, dto: S.Calendar, input: S.CalendarInput, patch: S.CalendarPatch, read: 'tickets:read', write: 'sla:write',
    notes: { create: 'weekly hours in a time zone, holidays', update: 'running SLA clocks keep their due times', delete: 'refused while an SLA policy uses it' },
  });
  crudRoutes(app, s, {
    path: 'sla-policies', key: 'name', noun: 'an SLA policy', plural: 'SLA policies', tag: 'sla-policies',
    service: s.tickets.policies, dto: S.SlaPolicy, input: S.SlaPolicyInput, patch: S.SlaPolicyPatch, read: 'tickets:read', write: 'sla:write',
    notes: { create: 'targets in business minutes of a calendar', update: 'clocks already started keep their due times', delete: 'clocks it started keep running' },
  });
}
