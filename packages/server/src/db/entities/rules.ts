/**
 * Table of workflow rules (workflow/): a trigger (event type pattern or cron schedule), conditions and
 * actions as JSON, and the webhook signing secret sealed with crypto/secret-box.ts.
 */
import 'reflect-metadata';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { boolInt, jsonText } from '../columns.js';

@Entity({ name: 'rules' })
export class RuleRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_rules_name', { unique: true })
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'int', default: 1, transformer: boolInt }) enabled!: boolean;
  /** `event` or `cron` */
  @Column({ type: 'varchar', length: 8, name: 'trigger_kind' }) triggerKind!: string;
  /** An event type pattern (`ticket.*`) or a cron schedule (`*\/5 * * * *`). */
  @Column({ type: 'varchar', length: 200 }) trigger!: string;
  @Column({ type: 'text', transformer: jsonText }) conditions!: unknown[];
  @Column({ type: 'text', transformer: jsonText }) actions!: unknown[];
  /** HMAC-SHA256 key of webhook actions, sealed (crypto/secret-box.ts). */
  @Column({ type: 'text', name: 'secret_sealed', nullable: true }) secretSealed!: string | null;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

export const ruleEntities = [RuleRow];
