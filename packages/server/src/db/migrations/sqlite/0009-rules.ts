import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SQLite schema v9: workflow rules (workflow/). */
export class Rules1764000000009 implements MigrationInterface {
  name = 'Rules1764000000009';

  async up(q: QueryRunner): Promise<void> {
    const ddl = [
      `CREATE TABLE "rules" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(64) NOT NULL,
        "enabled" integer NOT NULL DEFAULT (1), "trigger_kind" varchar(8) NOT NULL, "trigger" varchar(200) NOT NULL,
        "conditions" text NOT NULL, "actions" text NOT NULL, "secret_sealed" text, "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL)`,
      `CREATE UNIQUE INDEX "uq_rules_name" ON "rules" ("name")`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "rules"`);
  }
}
