import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * MySQL 8 / MariaDB 10.11 schema v6: the CRM (crm/): customers, their phones (E.164) and emails in tables
 * of their own, indexed for lookup, notes, and the admin-defined custom field schema. (v5 belongs to
 * another change; TypeORM orders migrations by the timestamp in their names, so a gap is harmless.)
 */
export class Crm1764000000006 implements MigrationInterface {
  name = 'Crm1764000000006';

  async up(q: QueryRunner): Promise<void> {
    const t = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    const ddl = [
      `CREATE TABLE \`customers\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(200) NOT NULL,
        \`company\` varchar(200) NOT NULL DEFAULT '', \`name_key\` varchar(200) NOT NULL, \`company_key\` varchar(200) NOT NULL,
        \`language\` varchar(35) NULL, \`tags\` text NOT NULL, \`vip_level\` int NOT NULL DEFAULT 0, \`preferred_agent\` varchar(32) NULL,
        \`custom\` text NOT NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL,
        INDEX \`ix_customers_name_key\` (\`name_key\`), INDEX \`ix_customers_company_key\` (\`company_key\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`customer_phones\` (\`id\` int NOT NULL AUTO_INCREMENT, \`customer_id\` int NOT NULL,
        \`number\` varchar(16) NOT NULL, \`ext\` varchar(16) NULL, \`label\` varchar(32) NULL, \`position\` int NOT NULL,
        INDEX \`ix_customer_phones_customer\` (\`customer_id\`), INDEX \`ix_customer_phones_number\` (\`number\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`customer_emails\` (\`id\` int NOT NULL AUTO_INCREMENT, \`customer_id\` int NOT NULL,
        \`email\` varchar(254) NOT NULL, \`email_lower\` varchar(254) NOT NULL, \`position\` int NOT NULL,
        INDEX \`ix_customer_emails_customer\` (\`customer_id\`), INDEX \`ix_customer_emails_lower\` (\`email_lower\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`customer_notes\` (\`id\` int NOT NULL AUTO_INCREMENT, \`customer_id\` int NOT NULL,
        \`author\` varchar(64) NOT NULL, \`text\` text NOT NULL, \`created_at\` datetime(3) NOT NULL,
        INDEX \`ix_customer_notes_customer\` (\`customer_id\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`customer_fields\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(40) NOT NULL,
        \`type\` varchar(16) NOT NULL, \`required\` int NOT NULL DEFAULT 0, \`enum_values\` text NULL,
        \`description\` varchar(255) NOT NULL DEFAULT '', \`created_at\` datetime(3) NOT NULL,
        UNIQUE INDEX \`uq_customer_fields_name\` (\`name\`), PRIMARY KEY (\`id\`)) ${t}`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['customer_fields', 'customer_notes', 'customer_emails', 'customer_phones', 'customers']) await q.query(`DROP TABLE \`${t}\``);
  }
}
