import 'reflect-metadata';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { jsonText } from '../columns.js';

/*
 * The knowledge base (kb/). Explicit column types as in index.ts; migrations 0007-kb create exactly
 * these tables.
 */

/** A node of the category tree; `path` is the names from the root joined by `/`. */
@Entity({ name: 'kb_categories' })
export class KbCategoryRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('ix_kb_categories_parent')
  @Column({ type: 'int', name: 'parent_id', nullable: true }) parentId!: number | null;
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Index('uq_kb_categories_path', { unique: true })
  @Column({ type: 'varchar', length: 255 }) path!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
}

/** Who may read or edit a category subtree: the nearest category with rules decides. */
@Entity({ name: 'kb_category_rules' })
export class KbCategoryRuleRow {
  @PrimaryColumn({ type: 'int', name: 'category_id' }) categoryId!: number;
  @PrimaryColumn({ type: 'varchar', length: 32 }) role!: string;
  /** read | edit */
  @Column({ type: 'varchar', length: 8 }) access!: string;
}

/** Users who hold the KB editor capability (admins always do). */
@Entity({ name: 'kb_editors' })
export class KbEditorRow {
  @PrimaryColumn({ type: 'int', name: 'user_id' }) userId!: number;
  @Column({ type: 'varchar', length: 64, name: 'granted_by' }) grantedBy!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
}

@Entity({ name: 'kb_articles' })
export class KbArticleRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  /** faq | knowledge | promotion | phrase | link | attachment */
  @Column({ type: 'varchar', length: 16 }) kind!: string;
  @Column({ type: 'varchar', length: 200 }) title!: string;
  @Column({ type: 'text', nullable: true }) question!: string | null;
  @Column({ type: 'text' }) body!: string;
  @Column({ type: 'varchar', length: 2048, nullable: true }) url!: string | null;
  @Index('ix_kb_articles_category')
  @Column({ type: 'int', name: 'category_id', nullable: true }) categoryId!: number | null;
  @Column({ type: 'text', transformer: jsonText }) tags!: string[];
  /** draft | review | published | archived */
  @Index('ix_kb_articles_status')
  @Column({ type: 'varchar', length: 16 }) status!: string;
  /** internal | public */
  @Column({ type: 'varchar', length: 16 }) visibility!: string;
  @Column({ type: 'datetime', precision: 3, name: 'valid_from', nullable: true }) validFrom!: Date | null;
  @Column({ type: 'datetime', precision: 3, name: 'valid_until', nullable: true }) validUntil!: Date | null;
  /** Attachment: SHA-256 (hex) of the file under <dataDir>/kb-files. */
  @Column({ type: 'varchar', length: 64, name: 'file_sha256', nullable: true }) fileSha256!: string | null;
  @Column({ type: 'varchar', length: 255, name: 'file_name', nullable: true }) fileName!: string | null;
  @Column({ type: 'int', name: 'file_size', nullable: true }) fileSize!: number | null;
  @Column({ type: 'varchar', length: 128, name: 'file_type', nullable: true }) fileType!: string | null;
  @Column({ type: 'int' }) version!: number;
  @Column({ type: 'varchar', length: 64, name: 'created_by' }) createdBy!: string;
  @Column({ type: 'varchar', length: 64, name: 'updated_by' }) updatedBy!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

/** Every saved state of an article (a JSON snapshot of its editable fields). */
@Entity({ name: 'kb_versions' })
export class KbVersionRow {
  @PrimaryColumn({ type: 'int', name: 'article_id' }) articleId!: number;
  @PrimaryColumn({ type: 'int' }) version!: number;
  @Column({ type: 'text', transformer: jsonText }) data!: Record<string, unknown>;
  @Column({ type: 'varchar', length: 64 }) author!: string;
  @Column({ type: 'varchar', length: 200, default: '' }) note!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
}

/** Tags of articles, one row each, for tag filters and suggestions. */
@Entity({ name: 'kb_article_tags' })
export class KbArticleTagRow {
  @PrimaryColumn({ type: 'varchar', length: 40 }) tag!: string;
  @Index('ix_kb_article_tags_article')
  @PrimaryColumn({ type: 'int', name: 'article_id' }) articleId!: number;
}

/**
 * The inverted index (kb/text.ts terms): one posting per term and article with its counts in the title
 * and the body and a precomputed `impact` (title-weighted, length-normalized term weight x 1000);
 * `(term, impact)` lets a common term's best postings be read first.
 */
@Entity({ name: 'kb_terms' })
@Index('ix_kb_terms_impact', ['term', 'impact'])
export class KbTermRow {
  @PrimaryColumn({ type: 'varchar', length: 48 }) term!: string;
  @Index('ix_kb_terms_article')
  @PrimaryColumn({ type: 'int', name: 'article_id' }) articleId!: number;
  @Column({ type: 'int', name: 'tf_title' }) tfTitle!: number;
  @Column({ type: 'int', name: 'tf_body' }) tfBody!: number;
  @Column({ type: 'int' }) impact!: number;
}

/** Document frequency per term; the row with term `` counts the indexed articles. */
@Entity({ name: 'kb_term_df' })
export class KbTermDfRow {
  @PrimaryColumn({ type: 'varchar', length: 48 }) term!: string;
  @Column({ type: 'int' }) df!: number;
}

export const kbEntities = [KbCategoryRow, KbCategoryRuleRow, KbEditorRow, KbArticleRow, KbVersionRow, KbArticleTagRow, KbTermRow, KbTermDfRow];
