/** The tickets part of the typed client (`client.tickets`); types come from tickets/schemas.ts (type-only imports). */
import type { FileData, UploadInput } from '../kb/schemas.js';
import type {
  Calendar, CalendarInput, CalendarPatch, CommentInput, HistoryEntry, SlaPolicy, SlaPolicyInput, SlaPolicyPatch, SlaTarget, Ticket, TicketAttachment,
  TicketComment, TicketInput, TicketPage, TicketPatch,
} from '../tickets/schemas.js';

export type {
  Calendar, CalendarInput, CalendarPatch, CommentInput, HistoryEntry, SlaPolicy, SlaPolicyInput, SlaPolicyPatch, SlaTarget, Ticket, TicketAttachment,
  TicketComment, TicketInput, TicketPage, TicketPatch,
};
export type TicketStatus = Ticket['status'];
export type TicketPriority = Ticket['priority'];

export interface TicketQuery {
  after?: number;
  limit?: number;
  status?: TicketStatus;
  /** An extension, or `none` for unassigned tickets. */
  assignee?: string;
  customerId?: number;
  group?: string;
  priority?: TicketPriority;
  tag?: string;
}

type Requester = { request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number | boolean | undefined>): Promise<T> };

const one = (id: number | string) => `/v1/tickets/${encodeURIComponent(String(id))}`;

export class TicketsClient {
  constructor(private readonly c: Requester) {}

  list(q: TicketQuery = {}): Promise<TicketPage> {
    return this.c.request('GET', '/v1/tickets', undefined, { ...q });
  }
  get(id: number | string): Promise<Ticket> {
    return this.c.request('GET', one(id));
  }
  create(input: TicketInput): Promise<Ticket> {
    return this.c.request('POST', '/v1/tickets', input);
  }
  update(id: number | string, patch: TicketPatch): Promise<Ticket> {
    return this.c.request('PATCH', one(id), patch);
  }
  /** new -> open -> pending -> resolved -> closed (tickets/status.ts); a refused transition is a 409 naming the allowed targets. */
  setStatus(id: number | string, status: TicketStatus): Promise<Ticket> {
    return this.c.request('POST', `${one(id)}/status`, { status });
  }
  /** An agent's extension, or null to unassign. */
  assign(id: number | string, assignee: string | null): Promise<Ticket> {
    return this.c.request('POST', `${one(id)}/assign`, { assignee });
  }
  comments(id: number | string): Promise<TicketComment[]> {
    return this.c.request('GET', `${one(id)}/comments`);
  }
  comment(id: number | string, input: CommentInput): Promise<TicketComment> {
    return this.c.request('POST', `${one(id)}/comments`, input);
  }
  history(id: number | string): Promise<HistoryEntry[]> {
    return this.c.request('GET', `${one(id)}/history`);
  }
  /** The SLA clocks of a ticket. */
  sla(id: number | string): Promise<SlaTarget[]> {
    return this.c.request('GET', `${one(id)}/sla`);
  }

  /** Files attached to a ticket (the bytes are base64 in JSON, bounded by the server's http.bodyLimit). */
  attachments = {
    list: (id: number | string): Promise<TicketAttachment[]> => this.c.request('GET', `${one(id)}/attachments`),
    upload: (id: number | string, input: UploadInput): Promise<TicketAttachment> => this.c.request('POST', `${one(id)}/attachments`, input),
    download: (id: number | string, attachment: number | string): Promise<FileData> =>
      this.c.request('GET', `${one(id)}/attachments/${encodeURIComponent(String(attachment))}`),
    delete: (id: number | string, attachment: number | string): Promise<void> =>
      this.c.request('DELETE', `${one(id)}/attachments/${encodeURIComponent(String(attachment))}`),
  };
}

const named = (base: string, name: string) => `${base}/${encodeURIComponent(name)}`;

/** Business calendars (`client.calendars`). */
export class CalendarsClient {
  constructor(private readonly c: Requester) {}

  list(): Promise<Calendar[]> {
    return this.c.request('GET', '/v1/calendars');
  }
  get(name: string): Promise<Calendar> {
    return this.c.request('GET', named('/v1/calendars', name));
  }
  create(input: CalendarInput): Promise<Calendar> {
    return this.c.request('POST', '/v1/calendars', input);
  }
  /** Fields not given stay as they are. */
  update(name: string, patch: CalendarPatch): Promise<Calendar> {
    return this.c.request('PATCH', named('/v1/calendars', name), patch);
  }
  delete(name: string): Promise<void> {
    return this.c.request('DELETE', named('/v1/calendars', name));
  }
}

/** SLA policies (`client.slaPolicies`). */
export class SlaPoliciesClient {
  constructor(private readonly c: Requester) {}

  list(): Promise<SlaPolicy[]> {
    return this.c.request('GET', '/v1/sla-policies');
  }
  get(name: string): Promise<SlaPolicy> {
    return this.c.request('GET', named('/v1/sla-policies', name));
  }
  create(input: SlaPolicyInput): Promise<SlaPolicy> {
    return this.c.request('POST', '/v1/sla-policies', input);
  }
  /** Fields not given stay as they are; clocks already started keep their due times. */
  update(name: string, patch: SlaPolicyPatch): Promise<SlaPolicy> {
    return this.c.request('PATCH', named('/v1/sla-policies', name), patch);
  }
  delete(name: string): Promise<void> {
    return this.c.request('DELETE', named('/v1/sla-policies', name));
  }
}
