/**
 * db/writer.ts: writes queued in one turn of the event loop are group-committed in one transaction,
 * each in its own savepoint: they commit in the order they were queued, a write that throws rolls back
 * only itself (its promise rejects, its afterCommit hooks never run), and idle() waits for all of them.
 * On a real database per dialect (SQLite always, MySQL/MariaDB with HOTLINE_TEST_MYSQL_URL).
 */
import { SkillRow } from '../src/db/entities/index.js';
import { Writer } from '../src/db/writer.js';
import { eachDialect, testDatabase } from './helpers.js';

eachDialect('a group commit keeps the order, and a failing write rolls back only itself', async (t, dialect) => {
  const db = await testDatabase(t, dialect);
  const writer = new Writer(db.write);
  const committed: string[] = [];
  const insert = (name: string, fail = false) =>
    writer.run(async (tx) => {
      await tx.em.insert(SkillRow, { name, description: '' });
      tx.afterCommit(() => committed.push(name));
      if (fail) throw new Error(`write ${name} fails`);
      return name;
    });
  // Queued in the same turn: one batch.
  const results = await Promise.allSettled([insert('w-a'), insert('w-b', true), insert('w-c'), insert('w-a')]);
  t.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected'], 'the duplicate name fails on its unique index');
  t.is((results[0] as PromiseFulfilledResult<string>).value, 'w-a');
  t.regex(String((results[1] as PromiseRejectedResult).reason), /write w-b fails/);
  t.deepEqual(committed, ['w-a', 'w-c'], 'hooks of the committed writes only, in order');
  const rows = await db.write.getRepository(SkillRow).find({ order: { id: 'ASC' } });
  t.deepEqual(rows.map((r) => r.name), ['w-a', 'w-c']);

  // A single write (no savepoint) and idle() after writes queued in several turns.
  const single = await insert('w-d');
  t.is(single, 'w-d');
  void insert('w-e');
  setImmediate(() => void insert('w-f'));
  await new Promise((r) => setImmediate(r));
  await writer.idle();
  t.deepEqual(committed, ['w-a', 'w-c', 'w-d', 'w-e', 'w-f']);
});
