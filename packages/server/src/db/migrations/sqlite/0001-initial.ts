import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SQLite schema v1: identity, agents, queues, audit and the event log. */
export class Initial1764000000001 implements MigrationInterface {
  name = 'Initial1764000000001';

  async up(q: QueryRunner): Promise<void> {
    const ddl = [
      `CREATE TABLE "roles" ("name" varchar(32) PRIMARY KEY NOT NULL, "description" varchar(255) NOT NULL)`,
      `CREATE TABLE "users" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(64) NOT NULL,
        "display_name" varchar(128) NOT NULL, "role" varchar(32) NOT NULL, "disabled" integer NOT NULL DEFAULT (0),
        "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL)`,
      `CREATE UNIQUE INDEX "uq_users_name" ON "users" ("name")`,
      `CREATE TABLE "api_tokens" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "public_id" varchar(16) NOT NULL,
        "user_id" integer NOT NULL, "name" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL,
        "created_at" datetime NOT NULL, "expires_at" datetime, "last_used_at" datetime, "revoked_at" datetime)`,
      `CREATE UNIQUE INDEX "uq_api_tokens_public_id" ON "api_tokens" ("public_id")`,
      `CREATE TABLE "skills" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(64) NOT NULL,
        "description" varchar(255) NOT NULL DEFAULT (''))`,
      `CREATE UNIQUE INDEX "uq_skills_name" ON "skills" ("name")`,
      `CREATE TABLE "agents" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "extension" varchar(32) NOT NULL,
        "name" varchar(128) NOT NULL, "user_id" integer, "sip_ha1_md5" varchar(32), "sip_ha1_sha256" varchar(64),
        "max_chats" integer NOT NULL DEFAULT (1), "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL)`,
      `CREATE UNIQUE INDEX "uq_agents_extension" ON "agents" ("extension")`,
      `CREATE TABLE "agent_skills" ("agent_id" integer NOT NULL, "skill_id" integer NOT NULL,
        "proficiency" integer NOT NULL, PRIMARY KEY ("agent_id", "skill_id"))`,
      `CREATE TABLE "queues" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(64) NOT NULL,
        "strategy" varchar(32) NOT NULL, "settings" text NOT NULL, "created_at" datetime NOT NULL,
        "updated_at" datetime NOT NULL)`,
      `CREATE UNIQUE INDEX "uq_queues_name" ON "queues" ("name")`,
      `CREATE TABLE "queue_members" ("queue_id" integer NOT NULL, "agent_id" integer NOT NULL,
        "penalty" integer NOT NULL, "level" integer NOT NULL, PRIMARY KEY ("queue_id", "agent_id"))`,
      `CREATE TABLE "pause_reasons" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "code" varchar(64) NOT NULL,
        "label" varchar(128) NOT NULL, "paid" integer NOT NULL DEFAULT (0), "max_minutes" integer)`,
      `CREATE UNIQUE INDEX "uq_pause_reasons_code" ON "pause_reasons" ("code")`,
      `CREATE TABLE "dispositions" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "code" varchar(64) NOT NULL,
        "label" varchar(128) NOT NULL, "requires_note" integer NOT NULL DEFAULT (0))`,
      `CREATE UNIQUE INDEX "uq_dispositions_code" ON "dispositions" ("code")`,
      `CREATE TABLE "audit_log" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "at" datetime NOT NULL,
        "actor_user_id" integer, "actor_name" varchar(64) NOT NULL, "source" varchar(64) NOT NULL,
        "action" varchar(64) NOT NULL, "subject_type" varchar(32) NOT NULL, "subject_id" varchar(128) NOT NULL,
        "before" text, "after" text)`,
      `CREATE INDEX "ix_audit_log_at" ON "audit_log" ("at")`,
      `CREATE INDEX "ix_audit_log_action" ON "audit_log" ("action")`,
      `CREATE TABLE "events" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "type" varchar(64) NOT NULL,
        "at" datetime NOT NULL, "subject_type" varchar(32) NOT NULL, "subject_id" varchar(128) NOT NULL,
        "agent_id" varchar(32), "queue_id" varchar(64), "call_id" varchar(64), "payload" text NOT NULL)`,
      `CREATE INDEX "ix_events_type" ON "events" ("type")`,
      `CREATE INDEX "ix_events_agent" ON "events" ("agent_id")`,
      `CREATE INDEX "ix_events_queue" ON "events" ("queue_id")`,
      `CREATE INDEX "ix_events_call" ON "events" ("call_id")`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['events', 'audit_log', 'dispositions', 'pause_reasons', 'queue_members', 'queues',
      'agent_skills', 'agents', 'skills', 'api_tokens', 'users', 'roles']) {
      await q.query(`DROP TABLE "${t}"`);
    }
  }
}
