import type { MigrationInterface, QueryRunner } from 'typeorm';

/** MySQL 8 / MariaDB 10.11 schema v4: the trunk a call came in or went out through (null for internal calls). */
export class CallTrunk1764000000004 implements MigrationInterface {
  name = 'CallTrunk1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE `calls` ADD COLUMN `trunk` varchar(64) NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE `calls` DROP COLUMN `trunk`');
  }
}
