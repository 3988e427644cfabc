import type { MigrationInterface, QueryRunner } from 'typeorm';

/** MySQL 8 / MariaDB 10.11 schema v2: carrier trunks and the numbers (DIDs) they deliver. */
export class TrunksNumbers1764000000002 implements MigrationInterface {
  name = 'TrunksNumbers1764000000002';

  async up(q: QueryRunner): Promise<void> {
    const t = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    const ddl = [
      `CREATE TABLE \`trunks\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(64) NOT NULL,
        \`description\` varchar(255) NOT NULL DEFAULT '', \`inbound_cidrs\` text NOT NULL,
        \`inbound_username\` varchar(64) NULL, \`inbound_ha1_md5\` varchar(32) NULL, \`inbound_ha1_sha256\` varchar(64) NULL,
        \`host\` varchar(255) NOT NULL, \`port\` int NOT NULL DEFAULT 5060, \`transport\` varchar(8) NOT NULL,
        \`outbound_username\` varchar(128) NULL, \`outbound_secret\` text NULL, \`register\` int NOT NULL DEFAULT 0,
        \`max_calls\` int NOT NULL DEFAULT 0, \`caller_id\` text NULL, \`enabled\` int NOT NULL DEFAULT 1,
        \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL,
        UNIQUE INDEX \`uq_trunks_name\` (\`name\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`numbers\` (\`id\` int NOT NULL AUTO_INCREMENT, \`number\` varchar(24) NOT NULL,
        \`description\` varchar(255) NOT NULL DEFAULT '', \`target_type\` varchar(16) NOT NULL,
        \`target_key\` varchar(64) NOT NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL,
        UNIQUE INDEX \`uq_numbers_number\` (\`number\`), PRIMARY KEY (\`id\`)) ${t}`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['numbers', 'trunks']) await q.query(`DROP TABLE \`${t}\``);
  }
}
