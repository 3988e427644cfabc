/**
 * Tables of tickets (tickets/): tickets, their comments and their field-by-field history. Customers,
 * agents (assignee extension), queues (group) and calls (source call) are referenced by key, not by
 * foreign key, like the rest of the schema.
 */
import 'reflect-metadata';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { boolInt, jsonText } from '../columns.js';

@Entity({ name: 'tickets' })
export class TicketRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Column({ type: 'varchar', length: 200 }) subject!: string;
  @Column({ type: 'text' }) description!: string;
  @Index('ix_tickets_customer')
  @Column({ type: 'int', name: 'customer_id', nullable: true }) customerId!: number | null;
  /** phone | email | chat | web | manual */
  @Column({ type: 'varchar', length: 16 }) channel!: string;
  /** low | normal | high | urgent */
  @Column({ type: 'varchar', length: 16 }) priority!: string;
  /** new | open | pending | resolved | closed (tickets/status.ts) */
  @Index('ix_tickets_status')
  @Column({ type: 'varchar', length: 16 }) status!: string;
  /** Extension of the assigned agent. */
  @Index('ix_tickets_assignee')
  @Column({ type: 'varchar', length: 32, nullable: true }) assignee!: string | null;
  /** Name of the queue the ticket belongs to (`group` is a reserved word in SQL). */
  @Column({ type: 'varchar', length: 64, name: 'group_name', nullable: true }) group!: string | null;
  @Column({ type: 'text', transformer: jsonText }) tags!: string[];
  /** The call this ticket was created from. */
  @Column({ type: 'varchar', length: 36, name: 'source_call_id', nullable: true }) sourceCallId!: string | null;
  /** User name of the creator. */
  @Column({ type: 'varchar', length: 64, name: 'created_by' }) createdBy!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ name: 'ticket_comments' })
export class TicketCommentRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('ix_ticket_comments_ticket')
  @Column({ type: 'int', name: 'ticket_id' }) ticketId!: number;
  /** User name of the author. */
  @Column({ type: 'varchar', length: 64 }) author!: string;
  /** Public comments are meant for the customer; internal ones only for staff. */
  @Column({ type: 'int', name: 'is_public', default: 0, transformer: boolInt }) isPublic!: boolean;
  /** Written for the customer (their reply, entered by staff or a channel): starts the next-response clock. */
  @Column({ type: 'int', name: 'from_customer', default: 0, transformer: boolInt }) fromCustomer!: boolean;
  @Column({ type: 'text' }) text!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
}

/** One changed field of a ticket: what it was, what it became, who changed it and when. */
@Entity({ name: 'ticket_history' })
export class TicketHistoryRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('ix_ticket_history_ticket')
  @Column({ type: 'int', name: 'ticket_id' }) ticketId!: number;
  @Column({ type: 'varchar', length: 32 }) field!: string;
  @Column({ type: 'text', name: 'value_before', nullable: true, transformer: jsonText }) before!: unknown;
  @Column({ type: 'text', name: 'value_after', nullable: true, transformer: jsonText }) after!: unknown;
  /** User name of who made the change (`system` for jobs). */
  @Column({ type: 'varchar', length: 64 }) actor!: string;
  @Column({ type: 'datetime', precision: 3 }) at!: Date;
}

/** A file attached to a ticket; the bytes live once in the file store (db/files.ts) under `sha256`. */
@Entity({ name: 'ticket_attachments' })
export class TicketAttachmentRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('ix_ticket_attachments_ticket')
  @Column({ type: 'int', name: 'ticket_id' }) ticketId!: number;
  @Column({ type: 'varchar', length: 255 }) name!: string;
  @Column({ type: 'varchar', length: 128, name: 'content_type' }) contentType!: string;
  @Column({ type: 'int' }) size!: number;
  /** SHA-256 (hex) of the file; looked up when a file may be deleted (no row references it any more). */
  @Index('ix_ticket_attachments_sha256')
  @Column({ type: 'varchar', length: 64 }) sha256!: string;
  /** User name of the uploader. */
  @Column({ type: 'varchar', length: 64, name: 'created_by' }) createdBy!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
}

/** A business calendar (tickets/calendars.ts): weekly hours in a time zone, minus holidays. */
@Entity({ name: 'business_calendars' })
export class CalendarRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_business_calendars_name', { unique: true })
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'varchar', length: 64, name: 'time_zone' }) timeZone!: string;
  /** `{ mon: [{ start: '09:00', end: '17:00' }], ... }` */
  @Column({ type: 'text', transformer: jsonText }) hours!: Record<string, Array<{ start: string; end: string }>>;
  @Column({ type: 'text', transformer: jsonText }) holidays!: string[];
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

/** An SLA policy (tickets/sla.ts): targets in business minutes of a calendar, for some priorities. */
@Entity({ name: 'sla_policies' })
export class SlaPolicyRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_sla_policies_name', { unique: true })
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'int', name: 'calendar_id' }) calendarId!: number;
  @Column({ type: 'int', name: 'first_response_minutes' }) firstResponseMinutes!: number;
  @Column({ type: 'int', name: 'next_response_minutes', nullable: true }) nextResponseMinutes!: number | null;
  @Column({ type: 'int', name: 'resolution_minutes' }) resolutionMinutes!: number;
  @Column({ type: 'text', transformer: jsonText }) priorities!: string[];
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

/** One SLA clock of a ticket: first_response | next_response | resolution. */
@Entity({ name: 'ticket_sla' })
export class TicketSlaRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('ix_ticket_sla_ticket')
  @Column({ type: 'int', name: 'ticket_id' }) ticketId!: number;
  @Column({ type: 'int', name: 'policy_id' }) policyId!: number;
  @Column({ type: 'varchar', length: 16 }) target!: string;
  @Column({ type: 'datetime', precision: 3, name: 'started_at' }) startedAt!: Date;
  @Index('ix_ticket_sla_due')
  @Column({ type: 'datetime', precision: 3, name: 'due_at' }) dueAt!: Date;
  /** Set while the ticket is pending (the resolution clock stops). */
  @Column({ type: 'datetime', precision: 3, name: 'paused_at', nullable: true }) pausedAt!: Date | null;
  /** Business seconds spent paused so far (the due time moved later by as much). */
  @Column({ type: 'int', name: 'paused_seconds', default: 0 }) pausedSeconds!: number;
  @Column({ type: 'datetime', precision: 3, name: 'met_at', nullable: true }) metAt!: Date | null;
  @Column({ type: 'datetime', precision: 3, name: 'breached_at', nullable: true }) breachedAt!: Date | null;
}

export const ticketEntities = [TicketRow, TicketCommentRow, TicketHistoryRow, TicketAttachmentRow, CalendarRow, SlaPolicyRow, TicketSlaRow];
