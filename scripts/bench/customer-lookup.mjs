#!/usr/bin/env node
/**
 * Benchmark: CRM customer lookup by phone, and the import rate of a CSV file.
 *
 *   npm run build && node scripts/bench/customer-lookup.mjs [customers] [importRows] [--mysql URL] [--lookups N]
 *
 * customers (default 100,000; the figure is 1,000,000) are written straight into a fresh
 * database through the bench-only bulk path (packages/server crm/bulk.ts: multi-row INSERTs, no
 * validation, no audit), one E.164 phone and one email each. Then `hotline server start` runs on that
 * database as a child process and this process times GET /v1/customers/lookup?phone=... over HTTP
 * (keep-alive, one request at a time, the number written in US national format so the server
 * normalizes it) and ?email=..., printing min/median/p95/p99/max (target: p95 under 5 ms), and the same
 * phone lookup called in this process on the service (crm/customers.ts, no HTTP or auth). Last,
 * `hotline customers import` loads a generated CSV of importRows (default 100,000) new customers
 * through the real path (validation, normalization, audit and events per row, batches of 1,000) and
 * the rate is printed in rows/s. SQLite by default; --mysql mysql://root@127.0.0.1:3306/test creates
 * and drops a uniquely named database on that server. Temp dirs and child processes are removed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT, cleanup, runCli, serverArgs, spawnCli, stopServer, tempDir, readyLine, latency, mysqlDatabase, takeOption } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name) => takeOption(args, name);
const MYSQL = opt('--mysql');
const LOOKUPS = Number(opt('--lookups') ?? 2000);
const CUSTOMERS = Number(args[0] ?? 100_000);
const IMPORT_ROWS = Number(args[1] ?? 100_000);
const TARGET_P95_MS = 5;

const server = (p) => import(join(ROOT, 'packages/server/dist/src', p));
const { openDatabase } = await server('db/datasource.js');
const { bulkInsertCustomers } = await server('crm/bulk.js');
const { Customers } = await server('crm/customers.js');

// 80 US area codes x 792 exchanges x 10,000 lines: every number valid for libphonenumber (max metadata).
const AREAS = ['201', '202', '203', '205', '206', '207', '208', '212', '213', '214', '215', '216', '217', '218', '224', '225', '248', '253', '267', '281',
  '301', '303', '305', '310', '312', '313', '314', '315', '316', '317', '404', '408', '410', '412', '414', '415', '416', '469', '480', '502', '503',
  '504', '512', '515', '516', '517', '518', '520', '602', '612', '614', '617', '619', '626', '646', '650', '702', '703', '704', '713', '714', '718',
  '720', '732', '773', '801', '804', '818', '832', '858', '901', '904', '908', '917', '919', '925', '949', '954', '972', '978'];
const EXCHANGES = [];
for (let e = 200; e < 1000; e++) if (e % 100 !== 11) EXCHANGES.push(String(e));

/** The i-th synthetic number as [E.164, US national format]. */
function phone(i) {
  const area = AREAS[i % AREAS.length];
  const rest = Math.floor(i / AREAS.length);
  const exchange = EXCHANGES[Math.floor(rest / 10_000) % EXCHANGES.length];
  const line = String(rest % 10_000).padStart(4, '0');
  return [`+1${area}${exchange}${line}`, `(${area}) ${exchange}-${line}`];
}

const summary = latency;
const show = (s) => ['min', 'median', 'p95', 'p99', 'max'].map((k) => `${k} ${s[k].toFixed(2)} ms`).join('  ');


async function fill(url, dialect) {
  const db = await openDatabase(url, dialect);
  const t0 = performance.now();
  const CHUNK = 50_000;
  for (let start = 0; start < CUSTOMERS; start += CHUNK) {
    const rows = [];
    for (let i = start; i < Math.min(start + CHUNK, CUSTOMERS); i++) {
      rows.push({ name: `Customer ${i}`, company: `Company ${i % 5000}`, phone: phone(i)[0], email: `c${i}@bench.example` });
    }
    await bulkInsertCustomers(db.write, rows);
    if (CUSTOMERS > CHUNK) process.stderr.write(`\rbulk insert: ${Math.min(start + CHUNK, CUSTOMERS)}/${CUSTOMERS}`);
  }
  if (CUSTOMERS > CHUNK) process.stderr.write('\n');
  const fillMs = performance.now() - t0;
  // The same lookup in this process, without HTTP and auth: what the database and the service cost.
  const customers = new Customers({ ds: db.read }, null, 'US');
  const ms = [];
  for (let k = 0; k < 200 + LOOKUPS; k++) {
    const i = Math.floor(Math.random() * CUSTOMERS);
    const t = performance.now();
    const r = await customers.lookup({ phone: phone(i)[1] });
    if (k >= 200) ms.push(performance.now() - t);
    if (r.customers.length !== 1) throw new Error(`in-process lookup of ${phone(i)[1]} found ${r.customers.length}`);
  }
  await db.close();
  return { fillMs, inProcess: summary(ms) };
}

// node:http with one kept-alive socket (fetch/undici costs the client about half a millisecond a
// request on this machine, which would be counted as the server's).
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(url, headers) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

async function lookup(base, headers, q, i) {
  const t0 = performance.now();
  const { status, body } = await get(`${base}/v1/customers/lookup?${q}`, headers);
  const ms = performance.now() - t0;
  const res = { status };
  if (res.status !== 200 || body.customers.length !== 1 || body.customers[0].name !== `Customer ${i}`) {
    throw new Error(`lookup ${q}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  }
  return ms;
}

/** Phone and email lookups of random customers, interleaved (so load changes hit both alike). */
async function timeLookups(base, token, n) {
  const headers = { authorization: `Bearer ${token}` };
  const phones = [];
  const emails = [];
  for (let k = 0; k < n; k++) {
    const i = Math.floor(Math.random() * CUSTOMERS);
    phones.push(await lookup(base, headers, `phone=${encodeURIComponent(phone(i)[1])}`, i));
    emails.push(await lookup(base, headers, `email=C${i}%40Bench.example`, i));
  }
  return { byPhone: summary(phones), byEmail: summary(emails) };
}

function importCsv(file) {
  const lines = ['name,company,phones,emails,tags,vipLevel'];
  for (let k = 0; k < IMPORT_ROWS; k++) {
    const i = CUSTOMERS + k;
    lines.push(`Imported ${k},"Company ${k % 5000}, Inc.",${phone(i)[1]},i${k}@bench.example,imported;bench,${k % 6}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

let child;
let mysql;
try {
  const dir = tempDir('crm');
  const dialect = MYSQL ? 'mysql' : 'sqlite';
  if (MYSQL) mysql = await mysqlDatabase(MYSQL);
  const url = mysql?.url ?? `sqlite:${join(dir, 'data', 'hotline.sqlite')}`;
  console.log(`customer lookup by phone with ${CUSTOMERS} customers on ${dialect}, ${LOOKUPS} lookups; import of ${IMPORT_ROWS} CSV rows (node ${process.version}, ${cpus().length} CPUs)`);
  const { fillMs, inProcess } = await fill(url, dialect);
  console.log(`setup: bulk insert of ${CUSTOMERS} customers (+ phones, emails) took ${(fillMs / 1000).toFixed(1)} s (${Math.round(CUSTOMERS / (fillMs / 1000))} rows/s)`);

  child = spawnCli(serverArgs(join(dir, 'data'), ['--db-url', url]));
  const ready = await readyLine(child, 120_000);
  const token = readFileSync(ready.tokenFile, 'utf8').trim();
  const base = ready.http.url;
  await timeLookups(base, token, 200); // warm-up
  const { byPhone, byEmail } = await timeLookups(base, token, LOOKUPS);
  console.log(`lookup by phone (HTTP, national format)  ${show(byPhone)}   ${byPhone.p95 < TARGET_P95_MS ? 'p95 within target' : 'p95 OVER TARGET'} (< ${TARGET_P95_MS} ms)`);
  console.log(`lookup by email (HTTP, mixed case)       ${show(byEmail)}`);
  console.log(`lookup by phone (in process, no HTTP)    ${show(inProcess)}`);

  if (IMPORT_ROWS > 0) {
    const file = join(dir, 'import.csv');
    importCsv(file);
    const env = { HOTLINE_URL: base, HOTLINE_TOKEN: token, XDG_CONFIG_HOME: join(dir, 'config') };
    const r = await runCli(['customers', 'import', file, '--json'], env);
    if (r.code !== 0) throw new Error(`import failed (${r.code}): ${r.stderr.slice(-500)}`);
    const report = JSON.parse(r.stdout);
    if (report.created !== IMPORT_ROWS) throw new Error(`import created ${report.created} of ${IMPORT_ROWS} (failed ${report.failed})`);
    console.log(`import of ${IMPORT_ROWS} CSV rows (hotline customers import, end to end): ${(r.ms / 1000).toFixed(1)} s = ${Math.round(IMPORT_ROWS / (r.ms / 1000))} rows/s`);
  }
  agent.destroy();
  const code = await stopServer(child);
  if (code !== 0) throw new Error(`server exited ${code} after SIGTERM`);
} catch (err) {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
} finally {
  if (child) await stopServer(child);
  if (mysql) await mysql.drop();
  cleanup();
}
