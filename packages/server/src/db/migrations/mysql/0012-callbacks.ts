import type { MigrationInterface, QueryRunner } from 'typeorm';

/** MySQL 8 / MariaDB 10.11 schema v12: scheduled callbacks (workflow/callbacks.ts). */
export class Callbacks1764000000012 implements MigrationInterface {
  name = 'Callbacks1764000000012';

  async up(q: QueryRunner): Promise<void> {
    const t = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    await q.query(`CREATE TABLE \`callbacks\` (\`id\` int NOT NULL AUTO_INCREMENT, \`number\` varchar(32) NOT NULL, \`customer_id\` int NULL,
      \`agent\` varchar(32) NOT NULL, \`due_at\` datetime(3) NOT NULL, \`status\` varchar(16) NOT NULL, \`attempts\` int NOT NULL DEFAULT 0,
      \`max_attempts\` int NOT NULL DEFAULT 3, \`retry_minutes\` int NOT NULL DEFAULT 10, \`call_id\` varchar(64) NULL, \`last_error\` varchar(500) NULL,
      \`note\` varchar(1000) NOT NULL DEFAULT '', \`created_by\` varchar(128) NOT NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL,
      INDEX \`ix_callbacks_status_due\` (\`status\`, \`due_at\`), INDEX \`ix_callbacks_call\` (\`call_id\`), PRIMARY KEY (\`id\`)) ${t}`.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE `callbacks`');
  }
}
