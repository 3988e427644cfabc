import type { MigrationInterface, QueryRunner } from 'typeorm';

/** MySQL 8 / MariaDB 10.11 schema v3: call records (calls/) and their outbound legs. */
export class Calls1764000000003 implements MigrationInterface {
  name = 'Calls1764000000003';

  async up(q: QueryRunner): Promise<void> {
    const t = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    const ddl = [
      `CREATE TABLE \`calls\` (\`id\` varchar(36) NOT NULL, \`from_ext\` varchar(32) NOT NULL, \`to_ext\` varchar(32) NOT NULL,
        \`direction\` varchar(16) NOT NULL, \`state\` varchar(16) NOT NULL, \`started_at\` datetime(3) NOT NULL,
        \`ringing_at\` datetime(3) NULL, \`answered_at\` datetime(3) NULL, \`ended_at\` datetime(3) NULL,
        \`hangup_by\` varchar(8) NULL, \`status\` int NULL, \`reason\` varchar(64) NULL,
        INDEX \`ix_calls_started_at\` (\`started_at\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`call_legs\` (\`id\` varchar(36) NOT NULL, \`call_id\` varchar(36) NOT NULL, \`contact\` varchar(255) NOT NULL,
        \`transport\` varchar(8) NOT NULL, \`state\` varchar(16) NOT NULL, \`status\` int NULL, \`position\` int NOT NULL,
        INDEX \`ix_call_legs_call\` (\`call_id\`), PRIMARY KEY (\`id\`)) ${t}`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['call_legs', 'calls']) await q.query(`DROP TABLE \`${t}\``);
  }
}
