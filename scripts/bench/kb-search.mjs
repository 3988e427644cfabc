#!/usr/bin/env node
/**
 * Benchmark: knowledge base search with N articles (default 100,000; target p95 under 50 ms on MariaDB).
 *
 *   npm run build && node scripts/bench/kb-search.mjs [articles] [--mysql URL] [--sqlite] [--queries N]
 *
 * For each dialect asked for (SQLite always unless --mysql alone is wanted with --no-sqlite; MariaDB
 * with --mysql mysql://root@127.0.0.1:3306/test, which creates and drops a uniquely named database),
 * a fresh database is migrated and filled through the bench-only bulk path (packages/server
 * kb/bulk.ts: articles + postings with multi-row INSERTs, no versions or audit) with generated
 * mixed Chinese/English text: English pseudo-words and Chinese characters drawn from Zipf
 * distributions (so common terms have long postings lists, as in real text), 3-8 word titles,
 * 30-60 word bodies. Then the real search service (kb/search.ts, the code behind GET /v1/kb/search,
 * highlighting included, no HTTP) runs a fixed mix of queries: a Chinese bigram, a four-character
 * Chinese phrase, a single Chinese character, a rare English word, a common English word, two words,
 * mixed Chinese + English. Prints per query kind and overall min/median/p95/max per dialect.
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, cleanup, tempDir, latency, mysqlDatabase, takeOption } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name) => takeOption(args, name);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
};
const MYSQL = opt('--mysql');
const QUERIES = Number(opt('--queries') ?? 50);
const NO_SQLITE = flag('--no-sqlite');
const N = Number(args[0] ?? 100_000);
const TARGET_P95_MS = 50;

const server = (p) => import(join(ROOT, 'packages/server/dist/src', p));
const { openDatabase } = await server('db/datasource.js');
const { BulkKb } = await server('kb/bulk.js');
const { Articles } = await server('kb/articles.js');
const { Search } = await server('kb/search.js');

// Deterministic PRNG (mulberry32) so every run and dialect gets the same text.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rand = prng(42);
/** Zipf(s=1) over n items via the inverse of the harmonic CDF (approximate, fast). */
const zipf = (n) => Math.min(n - 1, Math.floor(Math.exp(rand() * Math.log(n + 1)) - 1));

const SYL = ['ka', 'lo', 'mi', 're', 'tu', 'san', 'fe', 'bo', 'qui', 'da', 'ne', 'zor', 'pi', 'vel', 'ur', 'ta', 'shi', 'mon', 'gra', 'li'];
const EN = ['refund', 'invoice', 'shipping', 'password', 'account', 'phone', 'order', 'delivery', 'warranty', 'return', 'policy', 'price', 'discount', 'contract', 'router', 'billing'];
for (let i = 0; EN.length < 20_000; i++) {
  const r = prng(i + 1);
  const n = 2 + Math.floor(r() * 3);
  let w = '';
  for (let k = 0; k < n; k++) w += SYL[Math.floor(r() * SYL.length)];
  if (!EN.includes(w)) EN.push(w);
}
const ZH = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严退款流程账单密码订单发货保修退货价格折扣合同路由器';

function words(n, zhShare) {
  const out = [];
  for (let i = 0; i < n; i++) {
    if (rand() < zhShare) {
      const len = 1 + Math.floor(rand() * 3);
      let w = '';
      for (let k = 0; k < len; k++) w += ZH[zipf(ZH.length)];
      out.push(w);
    } else {
      out.push(EN[zipf(EN.length)]);
    }
  }
  return out.join(' ');
}

function article(i) {
  const zhShare = i % 3 === 0 ? 0.8 : i % 3 === 1 ? 0.1 : 0.5;
  // Every 97th article is about 退款流程 (refund process), so the headline queries have real hits.
  const title = words(3 + Math.floor(rand() * 6), zhShare);
  return { title: i % 97 === 0 ? `退款流程 ${title}` : title, body: words(30 + Math.floor(rand() * 31), zhShare), tags: [`t${i % 50}`] };
}

const QUERY_KINDS = [
  ['zh bigram 退款', () => '退款'],
  ['zh phrase 退款流程', () => '退款流程'],
  ['zh single char', () => ZH[zipf(200)]],
  ['zh random bigram', () => ZH[zipf(ZH.length)] + ZH[zipf(ZH.length)]],
  ['en rare word', () => EN[2000 + Math.floor(rand() * 18_000)]],
  ['en common word', () => EN[zipf(50)]],
  ['en two words', () => `${EN[zipf(EN.length)]} ${EN[zipf(EN.length)]}`],
  ['mixed zh + en', () => `${ZH[zipf(ZH.length)]}${ZH[zipf(ZH.length)]} ${EN[zipf(EN.length)]}`],
];

const summary = latency;
const show = (s) => ['min', 'median', 'p95', 'max'].map((k) => `${k} ${s[k].toFixed(1)}`).join('  ');


async function run(dialect, url) {
  rand = prng(42); // the same articles and queries on every dialect
  const db = await openDatabase(url, dialect);
  try {
    const bulk = new BulkKb(db.write);
    const t0 = performance.now();
    const CHUNK = 5000;
    for (let start = 0; start < N; start += CHUNK) {
      const rows = [];
      for (let i = start; i < Math.min(start + CHUNK, N); i++) rows.push(article(i));
      await bulk.insert(rows);
      process.stderr.write(`\r[${dialect}] bulk insert: ${Math.min(start + CHUNK, N)}/${N}`);
    }
    await bulk.finish();
    process.stderr.write('\n');
    const [{ n: postings }] = await db.write.query('SELECT COUNT(*) AS n FROM kb_terms');
    console.log(`[${dialect}] setup: ${N} articles, ${Number(postings)} postings in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (dialect === 'mysql') {
      await db.write.query('ANALYZE TABLE kb_terms, kb_articles, kb_term_df');
      // Latency depends on whether the postings fit in InnoDB's buffer pool (MariaDB's default is 128 MB).
      const [{ pool }] = await db.write.query('SELECT @@innodb_buffer_pool_size AS pool');
      const [{ size }] = await db.write.query(
        "SELECT SUM(data_length + index_length) AS size FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'kb_terms'",
      );
      const mb = (n) => `${Math.round(Number(n) / 2 ** 20)} MB`;
      console.log(`[${dialect}] innodb_buffer_pool_size ${mb(pool)}; kb_terms data + indexes ${mb(size)}${Number(size) > Number(pool) ? ' (larger than the pool: cold postings are read from disk)' : ''}`);
    }
    const store = { ds: db.read };
    const search = new Search(store, new Articles(store));
    const actor = { userId: null, name: 'bench', role: 'admin', source: 'bench' };
    const agent = { userId: 999999, name: 'bench-agent', role: 'agent', source: 'bench' };
    for (let k = 0; k < 20; k++) await search.search(actor, { q: QUERY_KINDS[k % QUERY_KINDS.length][1](), limit: 20 }); // warm-up
    const all = [];
    for (const [label, make] of QUERY_KINDS) {
      const ms = [];
      let hits = 0;
      for (let k = 0; k < QUERIES; k++) {
        const q = make();
        const t = performance.now();
        const r = await search.search(k % 2 ? agent : actor, { q, limit: 20 });
        ms.push(performance.now() - t);
        hits += r.hits.length;
      }
      all.push(...ms);
      console.log(`[${dialect}] ${label.padEnd(20)} ${show(summary(ms))} ms  (avg hits ${(hits / QUERIES).toFixed(1)})`);
    }
    const s = summary(all);
    console.log(`[${dialect}] ALL ${all.length} queries     ${show(s)} ms   ${dialect === 'mysql' ? (s.p95 < TARGET_P95_MS ? 'p95 within target' : 'p95 OVER TARGET') + ` (< ${TARGET_P95_MS} ms)` : ''}`);
  } finally {
    await db.close();
  }
}

let mysql;
try {
  console.log(`kb search with ${N} articles, ${QUERIES} queries per kind (node ${process.version}, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  if (!NO_SQLITE) {
    const dir = tempDir('kb');
    await run('sqlite', `sqlite:${join(dir, 'kb.sqlite')}`);
  }
  if (MYSQL) {
    mysql = await mysqlDatabase(MYSQL);
    await run('mysql', mysql.url);
  }
} catch (err) {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
} finally {
  // BENCH_KEEP_DB=1 keeps the MariaDB database for EXPLAIN and manual queries (drop it yourself).
  if (mysql && process.env.BENCH_KEEP_DB) console.log(`kept database ${new URL(mysql.url).pathname.slice(1)}`);
  else if (mysql) await mysql.drop();
  cleanup();
}
