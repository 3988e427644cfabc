import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SQLite schema v6: the CRM (crm/): customers, their phones (E.164) and emails in tables of their own,
 * indexed for lookup, notes, and the admin-defined custom field schema. (v5 belongs to another change;
 * TypeORM orders migrations by the timestamp in their names, so a gap in the numbering is harmless.)
 */
export class Crm1764000000006 implements MigrationInterface {
  name = 'Crm1764000000006';

  async up(q: QueryRunner): Promise<void> {
    const ddl = [
      `CREATE TABLE "customers" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(200) NOT NULL,
        "company" varchar(200) NOT NULL DEFAULT (''), "name_key" varchar(200) NOT NULL, "company_key" varchar(200) NOT NULL,
        "language" varchar(35), "tags" text NOT NULL, "vip_level" integer NOT NULL DEFAULT (0), "preferred_agent" varchar(32),
        "custom" text NOT NULL, "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL)`,
      `CREATE INDEX "ix_customers_name_key" ON "customers" ("name_key")`,
      `CREATE INDEX "ix_customers_company_key" ON "customers" ("company_key")`,
      `CREATE TABLE "customer_phones" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "customer_id" integer NOT NULL,
        "number" varchar(16) NOT NULL, "ext" varchar(16), "label" varchar(32), "position" integer NOT NULL)`,
      `CREATE INDEX "ix_customer_phones_customer" ON "customer_phones" ("customer_id")`,
      `CREATE INDEX "ix_customer_phones_number" ON "customer_phones" ("number")`,
      `CREATE TABLE "customer_emails" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "customer_id" integer NOT NULL,
        "email" varchar(254) NOT NULL, "email_lower" varchar(254) NOT NULL, "position" integer NOT NULL)`,
      `CREATE INDEX "ix_customer_emails_customer" ON "customer_emails" ("customer_id")`,
      `CREATE INDEX "ix_customer_emails_lower" ON "customer_emails" ("email_lower")`,
      `CREATE TABLE "customer_notes" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "customer_id" integer NOT NULL,
        "author" varchar(64) NOT NULL, "text" text NOT NULL, "created_at" datetime NOT NULL)`,
      `CREATE INDEX "ix_customer_notes_customer" ON "customer_notes" ("customer_id")`,
      `CREATE TABLE "customer_fields" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(40) NOT NULL,
        "type" varchar(16) NOT NULL, "required" integer NOT NULL DEFAULT (0), "enum_values" text,
        "description" varchar(255) NOT NULL DEFAULT (''), "created_at" datetime NOT NULL)`,
      `CREATE UNIQUE INDEX "uq_customer_fields_name" ON "customer_fields" ("name")`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['customer_fields', 'customer_notes', 'customer_emails', 'customer_phones', 'customers']) await q.query(`DROP TABLE "${t}"`);
  }
}
