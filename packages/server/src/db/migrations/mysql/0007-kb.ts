import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * MySQL 8 / MariaDB 10.11 schema v7: the knowledge base (kb/). Search terms are compared byte for byte
 * (utf8mb4_bin): under the default collation `resume` and `résumé`, or two CJK bigrams, could be equal
 * and collide in the primary key.
 */
export class Kb1764000000007 implements MigrationInterface {
  name = 'Kb1764000000007';

  async up(q: QueryRunner): Promise<void> {
    const t = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
    const bin = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
    const ddl = [
      `CREATE TABLE \`kb_categories\` (\`id\` int NOT NULL AUTO_INCREMENT, \`parent_id\` int NULL, \`name\` varchar(64) NOT NULL,
        \`path\` varchar(255) NOT NULL, \`created_at\` datetime(3) NOT NULL,
        INDEX \`ix_kb_categories_parent\` (\`parent_id\`), UNIQUE INDEX \`uq_kb_categories_path\` (\`path\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`kb_category_rules\` (\`category_id\` int NOT NULL, \`role\` varchar(32) NOT NULL, \`access\` varchar(8) NOT NULL,
        PRIMARY KEY (\`category_id\`, \`role\`)) ${t}`,
      `CREATE TABLE \`kb_editors\` (\`user_id\` int NOT NULL, \`granted_by\` varchar(64) NOT NULL, \`created_at\` datetime(3) NOT NULL,
        PRIMARY KEY (\`user_id\`)) ${t}`,
      `CREATE TABLE \`kb_articles\` (\`id\` int NOT NULL AUTO_INCREMENT, \`kind\` varchar(16) NOT NULL, \`title\` varchar(200) NOT NULL,
        \`question\` text NULL, \`body\` text NOT NULL, \`url\` varchar(2048) NULL, \`category_id\` int NULL, \`tags\` text NOT NULL,
        \`status\` varchar(16) NOT NULL, \`visibility\` varchar(16) NOT NULL, \`valid_from\` datetime(3) NULL, \`valid_until\` datetime(3) NULL,
        \`file_sha256\` varchar(64) NULL, \`file_name\` varchar(255) NULL, \`file_size\` int NULL, \`file_type\` varchar(128) NULL,
        \`version\` int NOT NULL, \`created_by\` varchar(64) NOT NULL, \`updated_by\` varchar(64) NOT NULL,
        \`created_at\` datetime(3) NOT NULL, \`updated_at\` datetime(3) NOT NULL,
        INDEX \`ix_kb_articles_category\` (\`category_id\`), INDEX \`ix_kb_articles_status\` (\`status\`), PRIMARY KEY (\`id\`)) ${t}`,
      `CREATE TABLE \`kb_versions\` (\`article_id\` int NOT NULL, \`version\` int NOT NULL, \`data\` text NOT NULL, \`author\` varchar(64) NOT NULL,
        \`note\` varchar(200) NOT NULL DEFAULT '', \`created_at\` datetime(3) NOT NULL, PRIMARY KEY (\`article_id\`, \`version\`)) ${t}`,
      `CREATE TABLE \`kb_article_tags\` (\`tag\` varchar(40) ${bin} NOT NULL, \`article_id\` int NOT NULL,
        INDEX \`ix_kb_article_tags_article\` (\`article_id\`), PRIMARY KEY (\`tag\`, \`article_id\`)) ${t}`,
      `CREATE TABLE \`kb_terms\` (\`term\` varchar(48) ${bin} NOT NULL, \`article_id\` int NOT NULL, \`tf_title\` int NOT NULL,
        \`tf_body\` int NOT NULL, \`impact\` int NOT NULL, INDEX \`ix_kb_terms_article\` (\`article_id\`),
        INDEX \`ix_kb_terms_impact\` (\`term\`, \`impact\`), PRIMARY KEY (\`term\`, \`article_id\`)) ${t}`,
      `CREATE TABLE \`kb_term_df\` (\`term\` varchar(48) ${bin} NOT NULL, \`df\` int NOT NULL, PRIMARY KEY (\`term\`)) ${t}`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['kb_term_df', 'kb_terms', 'kb_article_tags', 'kb_versions', 'kb_articles', 'kb_editors', 'kb_category_rules', 'kb_categories']) {
      await q.query(`DROP TABLE \`${t}\``);
    }
  }
}
