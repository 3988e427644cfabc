import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SQLite schema v7: the knowledge base (kb/): categories and their rules, editors, articles, versions, tags, the search index. */
export class Kb1764000000007 implements MigrationInterface {
  name = 'Kb1764000000007';

  async up(q: QueryRunner): Promise<void> {
    const ddl = [
      `CREATE TABLE "kb_categories" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "parent_id" integer, "name" varchar(64) NOT NULL,
        "path" varchar(255) NOT NULL, "created_at" datetime NOT NULL)`,
      `CREATE INDEX "ix_kb_categories_parent" ON "kb_categories" ("parent_id")`,
      `CREATE UNIQUE INDEX "uq_kb_categories_path" ON "kb_categories" ("path")`,
      `CREATE TABLE "kb_category_rules" ("category_id" integer NOT NULL, "role" varchar(32) NOT NULL, "access" varchar(8) NOT NULL,
        PRIMARY KEY ("category_id", "role"))`,
      `CREATE TABLE "kb_editors" ("user_id" integer PRIMARY KEY NOT NULL, "granted_by" varchar(64) NOT NULL, "created_at" datetime NOT NULL)`,
      `CREATE TABLE "kb_articles" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "kind" varchar(16) NOT NULL, "title" varchar(200) NOT NULL,
        "question" text, "body" text NOT NULL, "url" varchar(2048), "category_id" integer, "tags" text NOT NULL, "status" varchar(16) NOT NULL,
        "visibility" varchar(16) NOT NULL, "valid_from" datetime, "valid_until" datetime, "file_sha256" varchar(64), "file_name" varchar(255),
        "file_size" integer, "file_type" varchar(128), "version" integer NOT NULL, "created_by" varchar(64) NOT NULL,
        "updated_by" varchar(64) NOT NULL, "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL)`,
      `CREATE INDEX "ix_kb_articles_category" ON "kb_articles" ("category_id")`,
      `CREATE INDEX "ix_kb_articles_status" ON "kb_articles" ("status")`,
      `CREATE TABLE "kb_versions" ("article_id" integer NOT NULL, "version" integer NOT NULL, "data" text NOT NULL, "author" varchar(64) NOT NULL,
        "note" varchar(200) NOT NULL DEFAULT (''), "created_at" datetime NOT NULL, PRIMARY KEY ("article_id", "version"))`,
      `CREATE TABLE "kb_article_tags" ("tag" varchar(40) NOT NULL, "article_id" integer NOT NULL, PRIMARY KEY ("tag", "article_id"))`,
      `CREATE INDEX "ix_kb_article_tags_article" ON "kb_article_tags" ("article_id")`,
      `CREATE TABLE "kb_terms" ("term" varchar(48) NOT NULL, "article_id" integer NOT NULL, "tf_title" integer NOT NULL, "tf_body" integer NOT NULL,
        "impact" integer NOT NULL, PRIMARY KEY ("term", "article_id"))`,
      `CREATE INDEX "ix_kb_terms_article" ON "kb_terms" ("article_id")`,
      `CREATE INDEX "ix_kb_terms_impact" ON "kb_terms" ("term", "impact")`,
      `CREATE TABLE "kb_term_df" ("term" varchar(48) PRIMARY KEY NOT NULL, "df" integer NOT NULL)`,
    ];
    for (const sql of ddl) await q.query(sql.replace(/\s+/g, ' '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['kb_term_df', 'kb_terms', 'kb_article_tags', 'kb_versions', 'kb_articles', 'kb_editors', 'kb_category_rules', 'kb_categories']) {
      await q.query(`DROP TABLE "${t}"`);
    }
  }
}
