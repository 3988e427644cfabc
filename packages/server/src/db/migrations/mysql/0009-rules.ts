import type { MigrationInterface, QueryRunner } from 'typeorm';

/** MySQL 8 / MariaDB 10.11 schema v9: workflow rules (workflow/). */
export class Rules1764000000009 implements MigrationInterface {
  name = 'Rules1764000000009';

  async up(q: QueryRunner): Promise<void> {
    const t = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    await q.query(`CREATE TABLE \`rules\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(64) NOT NULL,
      \`enabled\` int NOT NULL DEFAULT 1, \`trigger_kind\` varchar(8) NOT NULL, \`trigger\` varchar(200) NOT NULL,
      \`conditions\` text NOT NULL, \`actions\` text NOT NULL, \`secret_sealed\` text NULL,
      \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL,
      UNIQUE INDEX \`uq_rules_name\` (\`name\`), PRIMARY KEY (\`id\`)) ${t}`.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE `rules`');
  }
}
