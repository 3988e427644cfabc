import test from 'ava';
import { dialects, MYSQL_SKIP_MESSAGE, startTestServer } from '../src/testing.js';

for (const { dialect, available } of dialects()) {
  if (!available) {
    test.skip(`[${dialect}] ${MYSQL_SKIP_MESSAGE}`, () => {});
    continue;
  }
  test(`[${dialect}] server starts, is healthy, and an admin can create and list agents`, async (t) => {
    const s = await startTestServer({ dialect });
    t.teardown(() => s.stop());
    t.deepEqual(await s.admin.health(), { status: 'ok' });
    await s.admin.agents.create({ extension: '1001', name: 'Alice' });
    t.deepEqual((await s.admin.agents.list()).map((a) => a.extension), ['1001']);
  });
}
