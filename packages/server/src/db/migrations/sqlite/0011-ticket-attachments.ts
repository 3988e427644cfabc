import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SQLite schema v11: ticket attachments (tickets/attachments.ts; the files live in db/files.ts). */
export class TicketAttachments1764000000011 implements MigrationInterface {
  name = 'TicketAttachments1764000000011';

  async up(q: QueryRunner): Promise<void> {
    const ddl = [
      `CREATE TABLE "ticket_attachments" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ticket_id" integer NOT NULL,
        "name" varchar(255) NOT NULL, "content_type" varchar(128) NOT NULL, "size" integer NOT NULL, "sha256" varchar(64) NOT NULL,
        "created_by" varchar(64) NOT NULL, "created_at" datetime NOT NULL)`,
      `CREATE INDEX "ix_ticket_attachments_ticket" ON "ticket_attachments" ("ticket_id")`,
      `CREATE INDEX "ix_ticket_attachments_sha256" ON "ticket_attachments" ("sha256")`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "ticket_attachments"`);
  }
}
