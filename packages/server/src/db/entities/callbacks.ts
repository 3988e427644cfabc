/**
 * Table of scheduled callbacks (workflow/callbacks.ts): a number to call back at a due time, dialled by
 * click-to-call from an agent's phone (calls/originate.ts), retried until answered or out of attempts.
 */
import 'reflect-metadata';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'callbacks' })
@Index('ix_callbacks_status_due', ['status', 'dueAt'])
export class CallbackRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  /** E.164 (`+4930123456`), or an internal extension. */
  @Column({ type: 'varchar', length: 32 }) number!: string;
  /** Not a foreign key: a customer may be erased while its callback stays in the history. */
  @Column({ type: 'int', name: 'customer_id', nullable: true }) customerId!: number | null;
  /** Extension of the agent whose phone rings first. */
  @Column({ type: 'varchar', length: 32 }) agent!: string;
  @Column({ type: 'datetime', precision: 3, name: 'due_at' }) dueAt!: Date;
  /** scheduled | dialing | done | failed | cancelled (workflow/callbacks.ts TRANSITIONS). */
  @Column({ type: 'varchar', length: 16 }) status!: string;
  @Column({ type: 'int', default: 0 }) attempts!: number;
  @Column({ type: 'int', name: 'max_attempts', default: 3 }) maxAttempts!: number;
  @Column({ type: 'int', name: 'retry_minutes', default: 10 }) retryMinutes!: number;
  /** The call of the last attempt. */
  @Index('ix_callbacks_call')
  @Column({ type: 'varchar', length: 64, name: 'call_id', nullable: true }) callId!: string | null;
  @Column({ type: 'varchar', length: 500, name: 'last_error', nullable: true }) lastError!: string | null;
  @Column({ type: 'varchar', length: 1000, default: '' }) note!: string;
  /** The user name, or `rule:<name>` for a workflow rule. */
  @Column({ type: 'varchar', length: 128, name: 'created_by' }) createdBy!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

export const callbackEntities = [CallbackRow];
