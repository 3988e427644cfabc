/**
 * Tickets as one object for the API and the composition root: tickets (tickets.ts), their attachments
 * (attachments.ts, files in the server's one file store), business calendars and SLA policies
 * (calendars.ts), SLA clocks and the breach check (sla.ts). `now` is the wall clock of
 * changes and SLA decisions (tests inject one).
 */
import type { FileStore } from '../db/files.js';
import type { Store } from '../events/changes.js';
import { TicketAttachments } from './attachments.js';
import { Calendars, SlaPolicies } from './calendars.js';
import { Sla } from './sla.js';
import { Tickets } from './tickets.js';

export class TicketDesk {
  readonly tickets: Tickets;
  readonly attachments: TicketAttachments;
  readonly calendars: Calendars;
  readonly policies: SlaPolicies;
  readonly sla: Sla;

  constructor(store: Store, files: FileStore, now: () => Date = () => new Date()) {
    this.tickets = new Tickets(store, now);
    this.attachments = new TicketAttachments(store, this.tickets, files, now);
    this.calendars = new Calendars(store);
    this.policies = new SlaPolicies(store);
    this.sla = new Sla(store, this.tickets, this.policies, now);
  }
}
