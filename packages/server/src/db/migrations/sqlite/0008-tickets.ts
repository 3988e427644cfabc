import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SQLite schema v8: tickets (tickets/), their comments, their field-by-field history, business calendars, SLA policies and clocks. */
export class Tickets1764000000008 implements MigrationInterface {
  name = 'Tickets1764000000008';

  async up(q: QueryRunner): Promise<void> {
    const ddl = [
      `CREATE TABLE "tickets" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "subject" varchar(200) NOT NULL,
        "description" text NOT NULL, "customer_id" integer, "channel" varchar(16) NOT NULL, "priority" varchar(16) NOT NULL,
        "status" varchar(16) NOT NULL, "assignee" varchar(32), "group_name" varchar(64), "tags" text NOT NULL,
        "source_call_id" varchar(36), "created_by" varchar(64) NOT NULL, "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL)`,
      `CREATE INDEX "ix_tickets_customer" ON "tickets" ("customer_id")`,
      `CREATE INDEX "ix_tickets_status" ON "tickets" ("status")`,
      `CREATE INDEX "ix_tickets_assignee" ON "tickets" ("assignee")`,
      `CREATE TABLE "ticket_comments" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL,
        "author" varchar(64) NOT NULL, "is_public" integer NOT NULL DEFAULT (0), "from_customer" integer NOT NULL DEFAULT (0), "text" text NOT NULL, "created_at" datetime NOT NULL)`,
      `CREATE INDEX "ix_ticket_comments_ticket" ON "ticket_comments" ("ticket_id")`,
      `CREATE TABLE "ticket_history" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL,
        "field" varchar(32) NOT NULL, "value_before" text, "value_after" text, "actor" varchar(64) NOT NULL, "at" datetime NOT NULL)`,
      `CREATE INDEX "ix_ticket_history_ticket" ON "ticket_history" ("ticket_id")`,
      `CREATE TABLE "business_calendars" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(64) NOT NULL,
        "time_zone" varchar(64) NOT NULL, "hours" text NOT NULL, "holidays" text NOT NULL, "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL)`,
      `CREATE UNIQUE INDEX "uq_business_calendars_name" ON "business_calendars" ("name")`,
      `CREATE TABLE "sla_policies" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(64) NOT NULL, "calendar_id" integer NOT NULL,
        "first_response_minutes" integer NOT NULL, "next_response_minutes" integer, "resolution_minutes" integer NOT NULL,
        "priorities" text NOT NULL, "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL)`,
      `CREATE UNIQUE INDEX "uq_sla_policies_name" ON "sla_policies" ("name")`,
      `CREATE TABLE "ticket_sla" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL, "policy_id" integer NOT NULL,
        "target" varchar(16) NOT NULL, "started_at" datetime NOT NULL, "due_at" datetime NOT NULL, "paused_at" datetime,
        "paused_seconds" integer NOT NULL DEFAULT (0), "met_at" datetime, "breached_at" datetime)`,
      `CREATE INDEX "ix_ticket_sla_ticket" ON "ticket_sla" ("ticket_id")`,
      `CREATE INDEX "ix_ticket_sla_due" ON "ticket_sla" ("due_at")`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['ticket_sla', 'sla_policies', 'business_calendars', 'ticket_history', 'ticket_comments', 'tickets']) await q.query(`DROP TABLE "${t}"`);
  }
}
