import type { MigrationInterface, QueryRunner } from 'typeorm';

/** MySQL 8 / MariaDB 10.11 schema v1: identity, agents, queues, audit and the event log. */
export class Initial1764000000001 implements MigrationInterface {
  name = 'Initial1764000000001';

  async up(q: QueryRunner): Promise<void> {
    const t = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    const ddl = [
      `CREATE TABLE \`roles\` (\`name\` varchar(32) NOT NULL, \`description\` varchar(255) NOT NULL,
        PRIMARY KEY (\`name\`)) ${t}`,
      `CREATE TABLE \`users\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(64) NOT NULL,
        \`display_name\` varchar(128) NOT NULL, \`role\` varchar(32) NOT NULL, \`disabled\` int NOT NULL DEFAULT 0,
        \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL,
        UNIQUE INDEX \`uq_users_name\` (\`name\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`api_tokens\` (\`id\` int NOT NULL AUTO_INCREMENT, \`public_id\` varchar(16) NOT NULL,
        \`user_id\` int NOT NULL, \`name\` varchar(64) NOT NULL, \`hash\` varchar(64) NOT NULL,
        \`created_at\` datetime(3) NOT NULL, \`expires_at\` datetime(3) NULL, \`last_used_at\` datetime(3) NULL,
        \`revoked_at\` datetime(3) NULL, UNIQUE INDEX \`uq_api_tokens_public_id\` (\`public_id\`),
        PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`skills\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(64) NOT NULL,
        \`description\` varchar(255) NOT NULL DEFAULT '', UNIQUE INDEX \`uq_skills_name\` (\`name\`),
        PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`agents\` (\`id\` int NOT NULL AUTO_INCREMENT, \`extension\` varchar(32) NOT NULL,
        \`name\` varchar(128) NOT NULL, \`user_id\` int NULL, \`sip_ha1_md5\` varchar(32) NULL,
        \`sip_ha1_sha256\` varchar(64) NULL, \`max_chats\` int NOT NULL DEFAULT 1,
        \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL,
        UNIQUE INDEX \`uq_agents_extension\` (\`extension\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`agent_skills\` (\`agent_id\` int NOT NULL, \`skill_id\` int NOT NULL,
        \`proficiency\` int NOT NULL, PRIMARY KEY (\`agent_id\`, \`skill_id\`)) ${t}`,
      `CREATE TABLE \`queues\` (\`id\` int NOT NULL AUTO_INCREMENT, \`name\` varchar(64) NOT NULL,
        \`strategy\` varchar(32) NOT NULL, \`settings\` text NOT NULL, \`created_at\` datetime(3) NOT NULL,
        \`updated_at\` datetime(3) NOT NULL, UNIQUE INDEX \`uq_queues_name\` (\`name\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`queue_members\` (\`queue_id\` int NOT NULL, \`agent_id\` int NOT NULL,
        \`penalty\` int NOT NULL, \`level\` int NOT NULL, PRIMARY KEY (\`queue_id\`, \`agent_id\`)) ${t}`,
      `CREATE TABLE \`pause_reasons\` (\`id\` int NOT NULL AUTO_INCREMENT, \`code\` varchar(64) NOT NULL,
        \`label\` varchar(128) NOT NULL, \`paid\` int NOT NULL DEFAULT 0, \`max_minutes\` int NULL,
        UNIQUE INDEX \`uq_pause_reasons_code\` (\`code\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`dispositions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`code\` varchar(64) NOT NULL,
        \`label\` varchar(128) NOT NULL, \`requires_note\` int NOT NULL DEFAULT 0,
        UNIQUE INDEX \`uq_dispositions_code\` (\`code\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`audit_log\` (\`id\` bigint NOT NULL AUTO_INCREMENT, \`at\` datetime(3) NOT NULL,
        \`actor_user_id\` int NULL, \`actor_name\` varchar(64) NOT NULL, \`source\` varchar(64) NOT NULL,
        \`action\` varchar(64) NOT NULL, \`subject_type\` varchar(32) NOT NULL, \`subject_id\` varchar(128) NOT NULL,
        \`before\` text NULL, \`after\` text NULL, INDEX \`ix_audit_log_at\` (\`at\`),
        INDEX \`ix_audit_log_action\` (\`action\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`events\` (\`id\` bigint NOT NULL AUTO_INCREMENT, \`type\` varchar(64) NOT NULL,
        \`at\` datetime(3) NOT NULL, \`subject_type\` varchar(32) NOT NULL, \`subject_id\` varchar(128) NOT NULL,
        \`agent_id\` varchar(32) NULL, \`queue_id\` varchar(64) NULL, \`call_id\` varchar(64) NULL,
        \`payload\` text NOT NULL, INDEX \`ix_events_type\` (\`type\`), INDEX \`ix_events_agent\` (\`agent_id\`),
        INDEX \`ix_events_queue\` (\`queue_id\`), INDEX \`ix_events_call\` (\`call_id\`), PRIMARY KEY (\`id\`)) ${t}`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['events', 'audit_log', 'dispositions', 'pause_reasons', 'queue_members', 'queues',
      'agent_skills', 'agents', 'skills', 'api_tokens', 'users', 'roles']) {
      await q.query(`DROP TABLE \`${t}\``);
    }
  }
}
