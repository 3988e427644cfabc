import type { HotlineClient } from '@hotline/server/client';
import { startTestServer, type TestServer, type TestServerOptions } from '@hotline/server/testing';
import type { ExecutionContext } from 'ava';

/** A fresh test server, stopped at the end of the test, and the env that points the CLI at it. */
export async function serverFor(t: ExecutionContext, opts: TestServerOptions = {}): Promise<{ s: TestServer; admin: HotlineClient; env: Record<string, string> }> {
  const s = await startTestServer(opts);
  t.teardown(() => s.stop());
  return { s, admin: s.admin, env: { HOTLINE_URL: s.url, HOTLINE_TOKEN: s.adminToken } };
}

/** A user with `role` and a token for them (created through the admin client). */
export async function tokenFor(admin: HotlineClient, name: string, role: 'admin' | 'supervisor' | 'agent' | 'auditor'): Promise<string> {
  await admin.users.create({ name, role });
  return (await admin.tokens.create({ name: 'test', user: name })).token;
}
