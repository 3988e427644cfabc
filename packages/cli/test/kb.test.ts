/**
 * `hotline kb ...` against a real server: articles create/show/update/publish/history/diff/restore/
 * delete with --json and tables, search in Chinese and English, render, categories, editors,
 * attachments upload/download, Markdown export and import (dry run, bad files with exit 7, a round
 * trip that reproduces every article), and role errors (exit 4).
 */
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/run-cli.js';
import { serverFor, tokenFor } from './helpers/server.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-cli-kb-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('kb articles: create, show, update, publish, history, diff, restore, search, render, delete; roles', async (t) => {
  const { admin, env } = await serverFor(t);
  let r = await runCli(['kb', 'categories', 'create', 'billing/refunds', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).path, 'billing/refunds');
  r = await runCli(['kb', 'articles', 'create', '--kind', 'faq', '--title', '退款流程', '--question', '如何申请退款？', '--body', '三个工作日内处理退款。',
    '--category', 'billing/refunds', '--tag', 'refund', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const faq = JSON.parse(r.stdout);
  t.like(faq, { kind: 'faq', status: 'draft', category: 'billing/refunds', version: 1 });

  r = await runCli(['kb', 'articles', 'create', '--kind', 'faq', '--title', 'No question'], env);
  t.is(r.code, 7);
  t.regex(r.stderr, /\/question: is required for a faq/);

  r = await runCli(['kb', 'articles', 'update', String(faq.id), '--body', '五个工作日内处理退款。', '--note', 'slower', '--json'], env);
  t.is(JSON.parse(r.stdout).version, 2);
  r = await runCli(['kb', 'articles', 'update', String(faq.id)], env);
  t.is(r.code, 2, 'nothing to update');
  r = await runCli(['kb', 'articles', 'publish', String(faq.id), '--json'], env);
  t.is(JSON.parse(r.stdout).status, 'published');
  r = await runCli(['kb', 'articles', 'history', String(faq.id)], env);
  t.deepEqual(r.stdout.split('\n')[0]!.split(/\s+/), ['VERSION', 'AT', 'AUTHOR', 'NOTE', 'TITLE']);
  r = await runCli(['kb', 'articles', 'diff', String(faq.id), '--from', '1'], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^-三个工作日内处理退款。$/m);
  t.regex(r.stdout, /^\+五个工作日内处理退款。$/m);
  r = await runCli(['kb', 'articles', 'restore', String(faq.id), '1', '--json'], env);
  t.like(JSON.parse(r.stdout), { version: 3, body: '三个工作日内处理退款。' });
  r = await runCli(['kb', 'articles', 'status', String(faq.id), 'review'], env);
  t.is(r.code, 6, 'published -> review is not a transition');

  r = await runCli(['kb', 'search', '退款', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { terms: ['退款'], hits: [{ article: { id: faq.id }, title: '«退款»流程' }] });
  r = await runCli(['kb', 'search', '退款'], env);
  t.regex(r.stdout, /«退款»流程/);

  r = await runCli(['kb', 'articles', 'create', '--kind', 'phrase', '--title', 'Greeting', '--body', 'Hello {{customer.name}}, {{agent.name}} here.', '--status', 'published', '--json'], env);
  const phrase = JSON.parse(r.stdout);
  r = await runCli(['kb', 'render', String(phrase.id), '--var', 'customer.name=Ada', '--var', 'agent.name=Bob'], env);
  t.is(r.stdout.trim(), 'Hello Ada, Bob here.');
  r = await runCli(['kb', 'articles', 'create', '--kind', 'phrase', '--title', 'Bad', '--body', '{{customer.shoe}}'], env);
  t.is(r.code, 7);
  t.regex(r.stderr, /unknown placeholder \{\{customer\.shoe\}\}/);

  r = await runCli(['kb', 'articles', 'list'], env);
  t.deepEqual(r.stdout.split('\n')[0]!.split(/\s+/), ['ID', 'KIND', 'STATUS', 'CATEGORY', 'V', 'TITLE']);

  const agentToken = await tokenFor(admin, 'kb-cli-agent', 'agent');
  const agentEnv = { ...env, HOTLINE_TOKEN: agentToken };
  r = await runCli(['kb', 'articles', 'create', '--title', 'Mine'], agentEnv);
  t.is(r.code, 4);
  t.regex(r.stderr, /not a KB editor/);
  r = await runCli(['kb', 'editors', 'add', 'kb-cli-agent', '--json'], env);
  t.like(JSON.parse(r.stdout), { user: 'kb-cli-agent', role: 'agent' });
  r = await runCli(['kb', 'articles', 'create', '--title', 'Mine', '--json'], agentEnv);
  t.is(r.code, 0, r.stderr);
  r = await runCli(['kb', 'editors', 'list', '--json'], agentEnv);
  t.is(r.code, 4, 'only admins list editors');

  r = await runCli(['kb', 'articles', 'delete', String(phrase.id)], env);
  t.is(r.code, 0, r.stderr);
  r = await runCli(['kb', 'articles', 'show', String(phrase.id)], env);
  t.is(r.code, 5);
});

test('kb export and import: Markdown with front matter round trip, dry run, bad files reported with exit 7; attachments', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.kb.categories.create('products/phones');
  const made = [
    await admin.kb.articles.create({ kind: 'faq', title: '退款流程', question: '怎么退款？', body: '第一步\n第二步', category: 'products/phones', tags: ['refund', 'zh'], status: 'published' }),
    await admin.kb.articles.create({ kind: 'promotion', title: 'Winter sale', body: '20% off', validUntil: '2030-01-01T00:00:00.000Z', visibility: 'public' }),
    await admin.kb.articles.create({ kind: 'link', title: 'Portal', url: 'https://example.com/portal', status: 'review' }),
  ];
  const dir = tempDir(t);
  let r = await runCli(['kb', 'export', dir, '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout).files.sort(), readdirSync(dir).sort());
  t.is(readdirSync(dir).length, 3);
  t.regex(readFileSync(join(dir, `${made[0]!.id}-退款流程.md`), 'utf8'), /^---\nid: \d+\ntitle: 退款流程\nkind: faq\nquestion: 怎么退款？\ncategory: products\/phones\n/);

  // Into a second server: everything comes back as it was.
  const other = await serverFor(t);
  r = await runCli(['kb', 'import', dir, '--dry-run', '--json'], other.env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { dryRun: true, created: 3, updated: 0, failed: 0 });
  t.is((await other.admin.kb.articles.list()).articles.length, 0, 'a dry run changes nothing');
  r = await runCli(['kb', 'import', dir, '--json'], other.env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { created: 3, failed: 0 });
  const strip = (a: Record<string, unknown>) => {
    const { id: _i, createdAt: _c, updatedAt: _u, version: _v, ...rest } = a;
    return rest;
  };
  const back = (await other.admin.kb.articles.list()).articles;
  t.deepEqual(back.map(strip).sort((a, b) => String(a['title']).localeCompare(String(b['title']))),
    made.map((a) => strip(a as unknown as Record<string, unknown>)).sort((a, b) => String(a['title']).localeCompare(String(b['title']))));

  // Importing the export into the same server updates the same articles (by id).
  r = await runCli(['kb', 'import', dir, '--json'], env);
  t.like(JSON.parse(r.stdout), { created: 0, updated: 3, failed: 0 });

  // Bad files: each reported, the good one applied.
  const bad = tempDir(t);
  writeFileSync(join(bad, 'a-good.md'), '---\ntitle: Good one\ntags: [x]\n---\nbody\n');
  writeFileSync(join(bad, 'b-no-front-matter.md'), 'just text\n');
  writeFileSync(join(bad, 'c-bad-kind.md'), '---\ntitle: X\nkind: poem\ncolour: red\n---\n');
  writeFileSync(join(bad, 'd-bad-phrase.md'), '---\ntitle: P\nkind: phrase\n---\nHi {{nobody}}\n');
  r = await runCli(['kb', 'import', bad, '--json'], env);
  t.is(r.code, 7);
  const rep = JSON.parse(r.stdout);
  t.like(rep, { created: 1, failed: 3 });
  t.deepEqual(rep.files.map((f: { action: string }) => f.action), ['create', 'error', 'error', 'error']);
  t.regex(rep.files[2].errors.join('\n'), /unknown key colour[\s\S]*kind must be one of/);
  t.regex(rep.files[3].errors.join('\n'), /unknown placeholder/);

  // Attachments.
  const file = join(dir, 'manual.txt');
  writeFileSync(file, 'manual 说明书');
  const att = await admin.kb.articles.create({ kind: 'attachment', title: 'Manual' });
  r = await runCli(['kb', 'attachments', 'upload', String(att.id), file, '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout).attachment, { name: 'manual.txt', contentType: 'text/plain' });
  const out = join(dir, 'copy.txt');
  r = await runCli(['kb', 'attachments', 'download', String(att.id), '--out', out, '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.is(readFileSync(out, 'utf8'), 'manual 说明书');
});
