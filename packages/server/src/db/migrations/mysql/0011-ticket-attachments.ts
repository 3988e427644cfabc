import type { MigrationInterface, QueryRunner } from 'typeorm';

/** MySQL 8 / MariaDB 10.11 schema v11: ticket attachments (tickets/attachments.ts; the files live in db/files.ts). */
export class TicketAttachments1764000000011 implements MigrationInterface {
  name = 'TicketAttachments1764000000011';

  async up(q: QueryRunner): Promise<void> {
    const t = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    await q.query(`CREATE TABLE \`ticket_attachments\` (\`id\` int NOT NULL AUTO_INCREMENT, \`ticket_id\` int NOT NULL,
      \`name\` varchar(255) NOT NULL, \`content_type\` varchar(128) NOT NULL, \`size\` int NOT NULL, \`sha256\` varchar(64) NOT NULL,
      \`created_by\` varchar(64) NOT NULL, \`created_at\` datetime(3) NOT NULL,
      INDEX \`ix_ticket_attachments_ticket\` (\`ticket_id\`), INDEX \`ix_ticket_attachments_sha256\` (\`sha256\`), PRIMARY KEY (\`id\`)) ${t}`.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE `ticket_attachments`');
  }
}
