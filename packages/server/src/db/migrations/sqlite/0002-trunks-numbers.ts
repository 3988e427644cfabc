import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SQLite schema v2: carrier trunks and the numbers (DIDs) they deliver. */
export class TrunksNumbers1764000000002 implements MigrationInterface {
  name = 'TrunksNumbers1764000000002';

  async up(q: QueryRunner): Promise<void> {
    const ddl = [
      `CREATE TABLE "trunks" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(64) NOT NULL,
        "description" varchar(255) NOT NULL DEFAULT (''), "inbound_cidrs" text NOT NULL, "inbound_username" varchar(64),
        "inbound_ha1_md5" varchar(32), "inbound_ha1_sha256" varchar(64), "host" varchar(255) NOT NULL,
        "port" integer NOT NULL DEFAULT (5060), "transport" varchar(8) NOT NULL, "outbound_username" varchar(128),
        "outbound_secret" text, "register" integer NOT NULL DEFAULT (0), "max_calls" integer NOT NULL DEFAULT (0),
        "caller_id" text, "enabled" integer NOT NULL DEFAULT (1), "created_at" datetime NOT NULL,
        "updated_at" datetime NOT NULL)`,
      `CREATE UNIQUE INDEX "uq_trunks_name" ON "trunks" ("name")`,
      `CREATE TABLE "numbers" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "number" varchar(24) NOT NULL,
        "description" varchar(255) NOT NULL DEFAULT (''), "target_type" varchar(16) NOT NULL,
        "target_key" varchar(64) NOT NULL, "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL)`,
      `CREATE UNIQUE INDEX "uq_numbers_number" ON "numbers" ("number")`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['numbers', 'trunks']) await q.query(`DROP TABLE "${t}"`);
  }
}
