import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SQLite schema v3: call records (calls/) and their outbound legs. */
export class Calls1764000000003 implements MigrationInterface {
  name = 'Calls1764000000003';

  async up(q: QueryRunner): Promise<void> {
    const ddl = [
      `CREATE TABLE "calls" ("id" varchar(36) PRIMARY KEY NOT NULL, "from_ext" varchar(32) NOT NULL, "to_ext" varchar(32) NOT NULL,
        "direction" varchar(16) NOT NULL, "state" varchar(16) NOT NULL, "started_at" datetime NOT NULL, "ringing_at" datetime,
        "answered_at" datetime, "ended_at" datetime, "hangup_by" varchar(8), "status" integer, "reason" varchar(64))`,
      `CREATE INDEX "ix_calls_started_at" ON "calls" ("started_at")`,
      `CREATE TABLE "call_legs" ("id" varchar(36) PRIMARY KEY NOT NULL, "call_id" varchar(36) NOT NULL, "contact" varchar(255) NOT NULL,
        "transport" varchar(8) NOT NULL, "state" varchar(16) NOT NULL, "status" integer, "position" integer NOT NULL)`,
      `CREATE INDEX "ix_call_legs_call" ON "call_legs" ("call_id")`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['call_legs', 'calls']) await q.query(`DROP TABLE "${t}"`);
  }
}
