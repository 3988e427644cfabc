import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SQLite schema v13: indexes on the numbers of call records, so matching calls by a customer's number
 * forms (crm/personalization.ts last agent, the timeline, privacy export) probes instead of scanning.
 */
export class CallNumbers1764000000013 implements MigrationInterface {
  name = 'CallNumbers1764000000013';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_calls_from_ext" ON "calls" ("from_ext")`);
    await q.query(`CREATE INDEX "ix_calls_to_ext" ON "calls" ("to_ext")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_calls_to_ext"`);
    await q.query(`DROP INDEX "ix_calls_from_ext"`);
  }
}
