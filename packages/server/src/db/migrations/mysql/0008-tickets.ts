import type { MigrationInterface, QueryRunner } from 'typeorm';

/** MySQL 8 / MariaDB 10.11 schema v8: tickets (tickets/), their comments, their field-by-field history, business calendars, SLA policies and clocks. */
export class Tickets1764000000008 implements MigrationInterface {
  name = 'Tickets1764000000008';

  async up(q: QueryRunner): Promise<void> {
    const t = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    const ddl = [
      `CREATE TABLE \`tickets\` (\`id\` int NOT NULL AUTO_INCREMENT, \`subject\` varchar(200) NOT NULL,
        \`description\` text NOT NULL, \`customer_id\` int NULL, \`channel\` varchar(16) NOT NULL, \`priority\` varchar(16) NOT NULL,
        \`status\` varchar(16) NOT NULL, \`assignee\` varchar(32) NULL, \`group_name\` varchar(64) NULL, \`tags\` text NOT NULL,
        \`source_call_id\` varchar(36) NULL, \`created_by\` varchar(64) NOT NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL,
        INDEX \`ix_tickets_customer\` (\`customer_id\`), INDEX \`ix_tickets_status\` (\`status\`), INDEX \`ix_tickets_assignee\` (\`assignee\`),
        PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`ticket_comments\` (\`id\` int NOT NULL AUTO_INCREMENT, \`ticket_id\` int NOT NULL,
        \`author\` varchar(64) NOT NULL, \`is_public\` int NOT NULL DEFAULT 0, \`from_customer\` int NOT NULL DEFAULT 0, \`text\` text NOT NULL, \`created_at\` datetime(3) NOT NULL,
        INDEX \`ix_ticket_comments_ticket\` (\`ticket_id\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`ticket_history\` (\`id\` int NOT NULL AUTO_INCREMENT, \`ticket_id\` int NOT NULL,
        \`field\` varchar(32) NOT NULL, \`value_before\` text NULL, \`value_after\` text NULL, \`actor\` varchar(64) NOT NULL, \`at\` datetime(3) NOT NULL,
        INDEX \`ix_ticket_history_ticket\` (\`ticket_id\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`business_calendars\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(64) NOT NULL,
        \`time_zone\` varchar(64) NOT NULL, \`hours\` text NOT NULL, \`holidays\` text NOT NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL,
        UNIQUE INDEX \`uq_business_calendars_name\` (\`name\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`sla_policies\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(64) NOT NULL, \`calendar_id\` int NOT NULL,
        \`first_response_minutes\` int NOT NULL, \`next_response_minutes\` int NULL, \`resolution_minutes\` int NOT NULL,
        \`priorities\` text NOT NULL, \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL,
        UNIQUE INDEX \`uq_sla_policies_name\` (\`name\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`ticket_sla\` (\`id\` int NOT NULL AUTO_INCREMENT, \`ticket_id\` int NOT NULL, \`policy_id\` int NOT NULL,
        \`target\` varchar(16) NOT NULL, \`started_at\` datetime(3) NOT NULL, \`due_at\` datetime(3) NOT NULL, \`paused_at\` datetime(3) NULL,
        \`paused_seconds\` int NOT NULL DEFAULT 0, \`met_at\` datetime(3) NULL, \`breached_at\` datetime(3) NULL,
        INDEX \`ix_ticket_sla_ticket\` (\`ticket_id\`), INDEX \`ix_ticket_sla_due\` (\`due_at\`), PRIMARY KEY (\`id\`)) ${t}`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['ticket_sla', 'sla_policies', 'business_calendars', 'ticket_history', 'ticket_comments', 'tickets']) await q.query(`DROP TABLE \`${t}\``);
  }
}
