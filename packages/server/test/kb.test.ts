/**
 * The knowledge base end to end over real HTTP on SQLite and MariaDB: articles of every kind with their
 * validation, status transitions, versions with diff and restore, search in Chinese and English (ranking,
 * highlighting, permissions), suggestions, phrases, attachments, categories with rules, KB editors,
 * and the audit trail. Pure parts (tokenizer, diff, placeholders) are tested directly.
 */
import test, { type ExecutionContext } from 'ava';
import { ApiError } from '../src/client/index.js';
import { lineDiff } from '../src/kb/diff.js';
import { renderPhrase } from '../src/kb/phrase.js';
import { documentTerms, highlight, queryTerms, snippet } from '../src/kb/text.js';
import { allAudit, allEvents, eachDialect, serve } from './helpers.js';

async function apiError(t: ExecutionContext, p: Promise<unknown>): Promise<ApiError> {
  return (await t.throwsAsync(p, { instanceOf: ApiError })) as ApiError;
}

test('tokenizer: Latin words folded, CJK bigrams + unigrams; queries use bigrams', (t) => {
  t.deepEqual([...documentTerms('Résumé REFUND refund 退款流程').entries()], [
    ['resume', 1], ['refund', 2], ['退', 1], ['退款', 1], ['款', 1], ['款流', 1], ['流', 1], ['流程', 1], ['程', 1],
  ]);
  t.deepEqual(queryTerms('退款'), ['退款']);
  t.deepEqual(queryTerms('退'), ['退']);
  t.deepEqual(queryTerms('How 退款流程?'), ['how', '退款', '款流', '流程']);
  t.is(highlight('退款流程 and Refund policy', '退款 refund'), '«退款»流程 and «Refund» policy');
  t.is(highlight('refunds, not fund', 'fund'), 'refunds, not «fund»', 'Latin words match at word starts only');
  t.is(snippet('a'.repeat(300) + ' 退款 ' + 'b'.repeat(300), '退款').includes('«退款»'), true);
});

test('line diff (LCS) and phrase rendering', (t) => {
  t.deepEqual(lineDiff('a\nb\nc', 'a\nx\nc'), [{ op: ' ', text: 'a' }, { op: '-', text: 'b' }, { op: '+', text: 'x' }, { op: ' ', text: 'c' }]);
  t.deepEqual(renderPhrase('Hi {{customer.name}}, this is {{ agent.name }} ({{call.number}})', { 'customer.name': 'Ada', 'agent.name': 'Bob' }),
    { text: 'Hi Ada, this is Bob ()', missing: ['call.number'] });
});

eachDialect('kb articles: kinds validated, status transitions, versions with diff and restore, audited', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const kb = s.admin.kb;
  await kb.categories.create('billing/refunds');
  const faq = await kb.articles.create({ kind: 'faq', title: 'How do refunds work?', question: 'How do I get a refund?', body: 'Line one\nLine two', category: 'billing/refunds', tags: ['refund'] });
  t.like(faq, { kind: 'faq', status: 'draft', visibility: 'internal', category: 'billing/refunds', version: 1, createdBy: 'admin', expired: false });

  // Validation per kind, with paths.
  t.is((await apiError(t, kb.articles.create({ kind: 'faq', title: 'No question' }))).details[0]!.path, '/question');
  t.is((await apiError(t, kb.articles.create({ kind: 'link', title: 'Bad', url: 'ftp://x' }))).details[0]!.path, '/url');
  t.is((await apiError(t, kb.articles.create({ kind: 'promotion', title: 'No window' }))).details[0]!.path, '/validUntil');
  const bad = await apiError(t, kb.articles.create({ kind: 'phrase', title: 'Greeting', body: 'Hello {{customer.name}} {{customer.shoe}}' }));
  t.is(bad.code, 'invalid_input');
  t.regex(bad.message, /\{\{customer\.shoe\}\}/);
  t.is((await apiError(t, kb.articles.create({ kind: 'knowledge', title: 'X', category: 'nope' }))).details[0]!.path, '/category');

  // Transitions: an explicit table.
  const conflict = await apiError(t, kb.articles.setStatus(faq.id, 'published'));
  t.is(conflict.status, 409);
  t.regex(conflict.message, /draft cannot go to published/);
  t.is((await kb.articles.setStatus(faq.id, 'review')).status, 'review');
  t.is((await kb.articles.setStatus(faq.id, 'published')).status, 'published');

  // Versions, diff, restore.
  const v2 = await kb.articles.update(faq.id, { body: 'Line one\nLine 2\nLine three', tags: ['refund', 'money'], note: 'clearer' });
  t.is(v2.version, 2);
  const history = await kb.articles.versions(faq.id);
  t.deepEqual(history.map((v) => [v.version, v.note]), [[2, 'clearer'], [1, 'created']]);
  const diff = await kb.articles.diff(faq.id, 1);
  t.is(diff.to, 2);
  t.deepEqual(diff.fields.find((f) => f.field === 'body')!.lines, [
    { op: ' ', text: 'Line one' }, { op: '-', text: 'Line two' }, { op: '+', text: 'Line 2' }, { op: '+', text: 'Line three' },
  ]);
  t.deepEqual(diff.fields.find((f) => f.field === 'tags')!.lines, [{ op: '-', text: '["refund"]' }, { op: '+', text: '["refund","money"]' }]);
  const restored = await kb.articles.restore(faq.id, 1);
  t.like(restored, { version: 3, body: 'Line one\nLine two', tags: ['refund'], status: 'published' });
  t.is((await kb.articles.diff(faq.id, 1, 3)).fields.length, 0, 'restoring creates a new version equal to the old one');

  const page = await kb.articles.list({ category: 'billing', limit: 10 });
  t.deepEqual(page.articles.map((a) => a.id), [faq.id]);
  t.deepEqual((await kb.articles.list({ tag: 'refund' })).articles.map((a) => a.id), [faq.id]);

  await kb.articles.delete(faq.id);
  t.is((await apiError(t, kb.articles.get(faq.id))).status, 404);
  t.is((await apiError(t, kb.categories.delete('billing'))).status, 409, 'a category with children is not deleted');
  await kb.categories.delete('billing/refunds');

  const types = (await allEvents(s)).map((e) => e.type).filter((x) => x.startsWith('kb.'));
  t.deepEqual(types, [
    'kb.category.created', 'kb.category.created', 'kb.article.created', 'kb.article.submitted', 'kb.article.published',
    'kb.article.updated', 'kb.article.restored', 'kb.article.deleted', 'kb.category.deleted',
  ]);
  t.true((await allAudit(s)).some((a) => a.action === 'kb.article.published' && a.actor === 'admin'));
});

eachDialect('kb search: Chinese bigrams find 退款流程, English words, title above body, highlighted, respects status and rules', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const kb = s.admin.kb;
  const publish = async (id: number) => {
    await kb.articles.setStatus(id, 'review');
    return kb.articles.setStatus(id, 'published');
  };
  const zh = await kb.articles.create({ kind: 'knowledge', title: '退款流程', body: '客户申请退款后，三个工作日内处理。' });
  const zhBody = await kb.articles.create({ kind: 'knowledge', title: '常见问题', body: '关于退款：请参阅退款流程。' });
  const en = await kb.articles.create({ kind: 'knowledge', title: 'Refund policy', body: 'Refunds are processed within three days.' });
  const enBody = await kb.articles.create({ kind: 'faq', title: 'Shipping', question: 'When does it ship?', body: 'Ships in a day. For a refund see the policy.' });
  const draft = await kb.articles.create({ kind: 'knowledge', title: '退款 draft', body: 'not published yet' });
  for (const a of [zh, zhBody, en, enBody]) await publish(a.id);

  const r = await kb.search({ q: '退款' });
  t.deepEqual(r.terms, ['退款']);
  t.deepEqual(r.hits.map((h) => h.article.id), [zh.id, draft.id, zhBody.id], 'title matches first, then the body match');
  t.is(r.hits[0]!.title, '«退款»流程');
  t.true(r.hits.some((h) => h.article.id === draft.id), 'admins (editors) find drafts');
  t.is((await kb.search({ q: '退款流程' })).hits[0]!.article.id, zh.id);
  t.deepEqual((await kb.search({ q: '退' })).hits.map((h) => h.article.id).sort(), [zh.id, zhBody.id, draft.id].sort(), 'a single character finds its unigram');

  const e = await kb.search({ q: 'refund' });
  t.deepEqual(e.hits.map((h) => h.article.id), [en.id, enBody.id], 'title match ranks above a body match');
  t.is(e.hits[0]!.title, '«Refund» policy');
  t.regex(e.hits[1]!.snippet, /«refund»/);
  t.deepEqual((await kb.search({ q: 'refund shipping' })).hits.map((h) => h.article.id), [enBody.id], 'every term must match');
  t.deepEqual((await kb.search({ q: 'nothingmatches' })).hits, []);

  const agent = await s.clientFor('agent');
  t.false((await agent.kb.search({ q: '退款' })).hits.some((h) => h.article.id === draft.id), 'agents see published only');
  t.is((await apiError(t, agent.kb.articles.get(draft.id))).status, 404);

  // Category rules hide a subtree from roles not listed.
  await kb.categories.create('secret');
  await kb.articles.update(en.id, { category: 'secret' });
  await kb.categories.setRules('secret', [{ role: 'supervisor', access: 'read' }]);
  t.deepEqual((await agent.kb.search({ q: 'refund' })).hits.map((h) => h.article.id), [enBody.id]);
  t.false((await agent.kb.articles.list()).articles.some((a) => a.id === en.id));
  t.false((await agent.kb.categories.list()).some((c) => c.path === 'secret'));
  const sup = await s.clientFor('supervisor');
  t.deepEqual((await sup.kb.search({ q: 'refund' })).hits.map((h) => h.article.id), [en.id, enBody.id]);
});

eachDialect('kb permissions: editors per user, category edit rules, auditors read only, agents read published', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const agent = await s.clientFor('agent', 'kb-agent');
  const auditor = await s.clientFor('auditor', 'kb-auditor');
  const notEditor = await apiError(t, agent.kb.articles.create({ kind: 'knowledge', title: 'Mine' }));
  t.is(notEditor.status, 403);
  t.regex(notEditor.message, /not a KB editor/);
  t.is((await apiError(t, auditor.kb.articles.create({ kind: 'knowledge', title: 'Mine' }))).status, 403);
  t.is((await apiError(t, s.admin.kb.editors.add('kb-auditor'))).status, 409);
  t.is((await apiError(t, agent.kb.editors.list())).status, 403);

  await s.admin.kb.editors.add('kb-agent');
  t.deepEqual((await s.admin.kb.editors.list()).map((e) => [e.user, e.role, e.grantedBy]), [['kb-agent', 'agent', 'admin']]);
  const mine = await agent.kb.articles.create({ kind: 'phrase', title: 'Greeting', body: 'Hello {{customer.name}}, {{agent.name}} here.' });
  t.is(mine.createdBy, 'kb-agent');
  t.deepEqual((await agent.kb.articles.render(mine.id, { 'customer.name': 'Ada', 'agent.name': 'Bob' })), { text: 'Hello Ada, Bob here.', missing: [] });

  await s.admin.kb.categories.create('legal');
  await s.admin.kb.categories.setRules('legal', [{ role: 'agent', access: 'read' }, { role: 'supervisor', access: 'edit' }]);
  const ruled = await apiError(t, agent.kb.articles.create({ kind: 'knowledge', title: 'Terms', category: 'legal' }));
  t.is(ruled.status, 403);
  t.regex(ruled.message, /category rules/);
  const terms = await s.admin.kb.articles.create({ kind: 'knowledge', title: 'Terms', category: 'legal' });
  t.is((await agent.kb.articles.get(terms.id)).id, terms.id, 'editors see drafts they may read');
  t.is((await apiError(t, agent.kb.articles.update(terms.id, { body: 'x' }))).status, 403);
  t.is((await auditor.kb.articles.get(terms.id)).status, 'draft', 'auditors read every status');

  await s.admin.kb.editors.remove('kb-agent');
  t.is((await apiError(t, agent.kb.articles.get(terms.id))).status, 404, 'a plain agent reads published articles only');
  t.is((await apiError(t, agent.kb.articles.update(mine.id, { body: 'x' }))).status, 403);
  const types = (await allEvents(s)).map((e) => e.type);
  t.true(types.includes('kb.editor.added') && types.includes('kb.editor.removed') && types.includes('kb.category.rules_changed'));
});

eachDialect('kb categories: tree paths, move without cycles; suggestions by tags, queue, flow and subject; promotions expire; files', async (t, dialect) => {
  const s = await serve(t, { dialect });
  const kb = s.admin.kb;
  await kb.categories.create('products/phones');
  await kb.categories.create('archive');
  t.is((await apiError(t, kb.categories.move('products', 'products/phones'))).status, 409);
  const moved = await kb.categories.move('products', 'archive');
  t.is(moved.path, 'archive/products');
  t.deepEqual((await kb.categories.list()).map((c) => c.path), ['archive', 'archive/products', 'archive/products/phones']);

  const publish = async (id: number) => {
    await kb.articles.setStatus(id, 'review');
    return kb.articles.setStatus(id, 'published');
  };
  const day = 86_400_000;
  const live = await kb.articles.create({ kind: 'promotion', title: 'Winter sale', body: 'Phones 20% off', tags: ['sales'], validFrom: new Date(Date.now() - day).toISOString(), validUntil: new Date(Date.now() + day).toISOString() });
  const over = await kb.articles.create({ kind: 'promotion', title: 'Summer sale', body: 'Phones 10% off', tags: ['sales'], validUntil: new Date(Date.now() - day).toISOString() });
  const billing = await kb.articles.create({ kind: 'knowledge', title: 'Invoices', body: 'Where to find the invoice', tags: ['billing'] });
  const flowTagged = await kb.articles.create({ kind: 'link', title: 'Portal', url: 'https://example.com/portal', tags: ['self-service'] });
  for (const a of [live, over, billing, flowTagged]) await publish(a.id);
  t.true((await kb.articles.get(over.id)).expired);
  t.false((await kb.articles.get(live.id)).expired);

  const agent = await s.clientFor('agent');
  const sug = await agent.kb.suggest({ queue: 'sales', flow: 'main/self-service', tags: 'billing', subject: 'phones sale' });
  t.deepEqual(sug.map((x) => x.article.id).sort(), [live.id, billing.id, flowTagged.id].sort());
  t.is(sug[0]!.article.id, live.id, 'tag and subject together score highest');
  t.deepEqual(sug[0]!.reasons, ['tag sales', 'subject matches']);
  // For a ticket: its subject and tags, and its customer's tags.
  const customer = await s.admin.customers.create({ name: 'Tag Holder', tags: ['self-service'] });
  const ticket = await s.admin.tickets.create({ subject: 'phones sale', tags: ['billing'], customerId: customer.id });
  const forTicket = await agent.kb.suggest({ ticket: String(ticket.id) });
  t.deepEqual(forTicket.map((x) => x.article.id).sort(), [live.id, billing.id, flowTagged.id].sort());
  t.is((await apiError(t, agent.kb.suggest({ ticket: '999999' }))).status, 404);

  const file = await kb.articles.create({ kind: 'attachment', title: 'Manual' });
  t.is((await apiError(t, kb.articles.setStatus(file.id, 'review').then(() => kb.articles.setStatus(file.id, 'published')))).status, 409);
  const content = Buffer.from('%PDF-1.4 manual 说明书');
  const withFile = await kb.articles.upload(file.id, { name: 'manual.pdf', contentType: 'application/pdf', base64: content.toString('base64') });
  t.like(withFile.attachment, { name: 'manual.pdf', size: content.length, contentType: 'application/pdf' });
  t.is(withFile.attachment!.sha256.length, 64);
  await kb.articles.setStatus(file.id, 'published');
  const got = await agent.kb.articles.download(file.id);
  t.deepEqual(Buffer.from(got.base64, 'base64'), content);
  t.is((await kb.search({ q: 'manual' })).hits[0]!.article.id, file.id, 'the file name is searchable');
});
