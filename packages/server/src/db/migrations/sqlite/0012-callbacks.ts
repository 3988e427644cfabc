import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SQLite schema v12: scheduled callbacks (workflow/callbacks.ts). */
export class Callbacks1764000000012 implements MigrationInterface {
  name = 'Callbacks1764000000012';

  async up(q: QueryRunner): Promise<void> {
    const ddl = [
      `CREATE TABLE "callbacks" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "number" varchar(32) NOT NULL, "customer_id" integer,
        "agent" varchar(32) NOT NULL, "due_at" datetime NOT NULL, "status" varchar(16) NOT NULL, "attempts" integer NOT NULL DEFAULT (0),
        "max_attempts" integer NOT NULL DEFAULT (3), "retry_minutes" integer NOT NULL DEFAULT (10), "call_id" varchar(64), "last_error" varchar(500),
        "note" varchar(1000) NOT NULL DEFAULT (''), "created_by" varchar(128) NOT NULL, "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL)`,
      `CREATE INDEX "ix_callbacks_status_due" ON "callbacks" ("status", "due_at")`,
      `CREATE INDEX "ix_callbacks_call" ON "callbacks" ("call_id")`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "callbacks"`);
  }
}
