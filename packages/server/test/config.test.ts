import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dialectOf, loadConfig } from '../src/config/load.js';
import { settings } from '../src/config/schema.js';
import { ConfigInvalid } from '../src/errors.js';
import { redactUrl } from '../src/index.js';

/** A temp dir with the given files, removed after the test. */
function files(t: import('ava').ExecutionContext, contents: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-test-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, name), text);
  return dir;
}

function invalid(t: import('ava').ExecutionContext, fn: () => unknown): ConfigInvalid {
  const err = t.throws(fn, { instanceOf: ConfigInvalid })!;
  t.is(err.code, 'config_invalid');
  return err;
}

test('defaults: every setting has one, and the config built from them is complete', (t) => {
  const c = loadConfig({ env: {} });
  t.is(c.dataDir, resolve('./data'));
  t.deepEqual(c.db, { url: 'sqlite:./data/hotline.sqlite', dialect: 'sqlite' });
  t.deepEqual(c.http, { host: '127.0.0.1', port: 8080, bodyLimit: 4194304 });
  t.deepEqual(c.sip, {
    host: '127.0.0.1', port: 5060, wsPort: 8088, tlsPort: 5061, wssPort: 8089, tlsCert: null, tlsKey: null, realm: 'hotline', maxCallsPerAgent: 2,
    egressNetworks: [], dnsServers: [], trunkKeepaliveSeconds: 30, trunkRegistration: true,
  });
  t.deepEqual(c.log, { level: 'info' });
  t.deepEqual(c.shutdown, { graceMs: 10000 });
  for (const s of settings) {
    t.not(s.default, undefined, `${s.key} has a default`);
    if (s.default === '') t.truthy(s.defaultDoc, `${s.key}: an empty default says what it means`);
    t.regex(s.env, /^HOTLINE_[A-Z_]+$/, `${s.key} has an env name`);
    t.true(s.description.length > 10, `${s.key} is described`);
  }
  t.is(new Set(settings.map((s) => s.env)).size, settings.length, 'env names are unique');
});

test('the derived default of db.url follows dataDir', (t) => {
  const c = loadConfig({ env: { HOTLINE_DATA_DIR: '/var/lib/hotline' } });
  t.is(c.dataDir, '/var/lib/hotline');
  t.deepEqual(c.db, { url: 'sqlite:/var/lib/hotline/hotline.sqlite', dialect: 'sqlite' });
});

test('precedence: overrides beat env, env beats the file, the file beats the default', (t) => {
  const dir = files(t, { 'c.yaml': 'http:\n  port: 1111\n  host: 0.0.0.0\nsip:\n  port: 2222\n  realm: file-realm\nlog:\n  level: debug\n' });
  const file = join(dir, 'c.yaml');
  const env = { HOTLINE_HTTP_PORT: '3333', HOTLINE_SIP_PORT: '4444', HOTLINE_SIP_REALM: '' };
  const c = loadConfig({ env, file, overrides: { 'http.port': 5555 } });
  t.is(c.http.port, 5555, 'override beats env and file');
  t.is(c.sip.port, 4444, 'env beats file');
  t.is(c.http.host, '0.0.0.0', 'file beats default');
  t.is(c.sip.realm, 'file-realm', 'an empty env value does not count');
  t.is(c.log.level, 'debug');
  t.is(c.sip.wsPort, 8088, 'default when nobody sets it');
});

test('the file comes from HOTLINE_CONFIG when no file option is given; nested YAML keys map to dotted settings', (t) => {
  const dir = files(t, {
    'hotline.yaml': [
      'dataDir: /srv/hotline',
      'db:',
      '  url: mysql://hot:line@db.example:3307/center',
      'http:',
      '  bodyLimit: 2048',
      'shutdown:',
      '  graceMs: 0',
      'sip:',
      '  wsPort: 0',
      '',
    ].join('\n'),
  });
  const c = loadConfig({ env: { HOTLINE_CONFIG: join(dir, 'hotline.yaml') } });
  t.is(c.dataDir, '/srv/hotline');
  t.deepEqual(c.db, { url: 'mysql://hot:line@db.example:3307/center', dialect: 'mysql' });
  t.is(c.http.bodyLimit, 2048);
  t.is(c.shutdown.graceMs, 0);
  t.is(c.sip.wsPort, 0);
});

test('an empty config file is fine', (t) => {
  const dir = files(t, { 'empty.yaml': '' , 'comments.yaml': '# nothing here\n' });
  t.is(loadConfig({ env: {}, file: join(dir, 'empty.yaml') }).http.port, 8080);
  t.is(loadConfig({ env: {}, file: join(dir, 'comments.yaml') }).http.port, 8080);
});

test('port 0 is accepted everywhere (pick a free port)', (t) => {
  const c = loadConfig({ env: { HOTLINE_HTTP_PORT: '0', HOTLINE_SIP_PORT: '0', HOTLINE_WS_PORT: '0' } });
  t.is(c.http.port, 0);
  t.is(c.sip.port, 0);
  t.is(c.sip.wsPort, 0);
  t.is(loadConfig({ env: {}, overrides: { 'http.port': 65535 } }).http.port, 65535);
});

test('every problem is reported at once, in one ConfigInvalid, with where each value came from', (t) => {
  const dir = files(t, { 'c.yaml': 'http:\n  bogus: 1\nlog:\n  level: loud\nnonsense: true\n' });
  const err = invalid(t, () =>
    loadConfig({
      env: { HOTLINE_HTTP_PORT: '99999', HOTLINE_SIP_HOST: 'not a host!', HOTLINE_HTTP_BODY_LIMIT: '10' },
      file: join(dir, 'c.yaml'),
      overrides: { 'shutdown.graceMs': 'soon' },
    }),
  );
  const paths = err.details.map((d) => d.path).sort();
  t.deepEqual(paths, [
    'HOTLINE_HTTP_BODY_LIMIT',
    'HOTLINE_HTTP_PORT',
    'HOTLINE_SIP_HOST',
    'file:http.bogus',
    'file:log.level',
    'file:nonsense',
    'shutdown.graceMs',
  ]);
  const by = (p: string) => err.details.find((d) => d.path === p)!.message;
  t.regex(by('HOTLINE_HTTP_PORT'), /port number 0-65535.*99999/);
  t.regex(by('file:log.level'), /one of fatal, error, warn, info, debug, trace, silent.*loud/);
  t.is(by('file:http.bogus'), 'unknown setting');
  t.regex(by('HOTLINE_HTTP_BODY_LIMIT'), /between 1024 and 67108864/);
  t.regex(by('shutdown.graceMs'), /whole number/);
  // The message lists every problem, one per line.
  for (const p of paths) t.true(err.message.includes(`- ${p}:`), `message mentions ${p}`);
  t.is(err.message.split('\n').length, paths.length + 1);
});

test('bad values are rejected: ports, hosts, levels, integers, urls, empty strings', (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ HOTLINE_HTTP_PORT: '-1' }, 'HOTLINE_HTTP_PORT'],
    [{ HOTLINE_HTTP_PORT: '65536' }, 'HOTLINE_HTTP_PORT'],
    [{ HOTLINE_HTTP_PORT: '80a' }, 'HOTLINE_HTTP_PORT'],
    [{ HOTLINE_SIP_PORT: '1.5' }, 'HOTLINE_SIP_PORT'],
    [{ HOTLINE_HTTP_HOST: 'bad_host' }, 'HOTLINE_HTTP_HOST'],
    [{ HOTLINE_LOG_LEVEL: 'verbose' }, 'HOTLINE_LOG_LEVEL'],
    [{ HOTLINE_SHUTDOWN_GRACE_MS: '600001' }, 'HOTLINE_SHUTDOWN_GRACE_MS'],
    [{ HOTLINE_SHUTDOWN_GRACE_MS: '-5' }, 'HOTLINE_SHUTDOWN_GRACE_MS'],
    [{ HOTLINE_DB_URL: 'postgres://x@y/z' }, 'HOTLINE_DB_URL'],
    [{ HOTLINE_SIP_REALM: '   ' }, 'HOTLINE_SIP_REALM'],
    [{ HOTLINE_SIP_MAX_CALLS_PER_AGENT: '-1' }, 'HOTLINE_SIP_MAX_CALLS_PER_AGENT'],
    [{ HOTLINE_SIP_EGRESS_NETWORKS: '10.0.0.0/8, example.com' }, 'HOTLINE_SIP_EGRESS_NETWORKS'],
    [{ HOTLINE_SIP_EGRESS_NETWORKS: '10.0.0.0/33' }, 'HOTLINE_SIP_EGRESS_NETWORKS'],
  ];
  for (const [env, path] of cases) {
    const err = invalid(t, () => loadConfig({ env }));
    t.deepEqual(err.details.map((d) => d.path), [path], JSON.stringify(env));
  }
  // Networks: addresses and CIDRs, comma-separated with blanks around; 0 calls per agent = unlimited.
  const sip = loadConfig({ env: { HOTLINE_SIP_EGRESS_NETWORKS: ' 10.0.0.0/8, 192.0.2.10 ,2001:db8::/32,', HOTLINE_SIP_MAX_CALLS_PER_AGENT: '0' } }).sip;
  t.deepEqual(sip.egressNetworks, ['10.0.0.0/8', '192.0.2.10', '2001:db8::/32']);
  t.is(sip.maxCallsPerAgent, 0);
  // IPv6 literals and host names are hosts.
  t.is(loadConfig({ env: { HOTLINE_HTTP_HOST: '::1' } }).http.host, '::1');
  t.is(loadConfig({ env: { HOTLINE_HTTP_HOST: 'pbx.example.com' } }).http.host, 'pbx.example.com');
});

test('a secret setting never echoes its value in a problem', (t) => {
  const err = invalid(t, () => loadConfig({ env: { HOTLINE_DB_URL: 'ftp://root:hunter2@db/x' } }));
  t.false(err.message.includes('hunter2'));
  t.false(JSON.stringify(err.details).includes('hunter2'));
});

test('a malformed YAML file reports file:line:col, together with the other problems', (t) => {
  const dir = files(t, { 'bad.yaml': 'http:\n  port: 8080\n  host: [unclosed\nlog:\n  level: info\n' });
  const file = join(dir, 'bad.yaml');
  const err = invalid(t, () => loadConfig({ env: { HOTLINE_LOG_LEVEL: 'nope' }, file }));
  const yaml = err.details.filter((d) => d.path === 'file');
  t.true(yaml.length >= 1);
  for (const d of yaml) t.regex(d.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: \\S`));
  t.false(yaml[0]!.message.includes('\n'), 'one line per problem');
  t.truthy(err.details.find((d) => d.path === 'HOTLINE_LOG_LEVEL'), 'other problems are still reported');
});

test('a file that cannot be read, or is not a mapping, is a problem', (t) => {
  const err = invalid(t, () => loadConfig({ env: {}, file: '/nonexistent/hotline.yaml' }));
  t.deepEqual(err.details, [{ path: 'file', message: 'cannot read /nonexistent/hotline.yaml: ENOENT' }]);
  const dir = files(t, { 'list.yaml': '- a\n- b\n', 'nested.yaml': 'http:\n  port:\n    - 1\n' });
  t.deepEqual(invalid(t, () => loadConfig({ env: {}, file: join(dir, 'list.yaml') })).details.map((d) => d.path), ['file:/']);
  t.deepEqual(invalid(t, () => loadConfig({ env: {}, file: join(dir, 'nested.yaml') })).details.map((d) => d.path), ['file:http.port']);
});

test('database URL dialect detection', (t) => {
  t.is(dialectOf('sqlite:/tmp/x.sqlite'), 'sqlite');
  t.is(dialectOf('sqlite:relative.sqlite'), 'sqlite');
  t.is(dialectOf('mysql://root@127.0.0.1:3306/hotline'), 'mysql');
  t.is(dialectOf('mariadb://root@127.0.0.1/hotline'), 'mysql');
  t.is(dialectOf('postgres://x/y'), undefined);
  t.is(dialectOf('MYSQL://x/y'), undefined);
  t.is(loadConfig({ env: { HOTLINE_DB_URL: 'mariadb://u:p@h/db' } }).db.dialect, 'mysql');
});

test('redactUrl hides passwords and nothing else', (t) => {
  t.is(redactUrl('mysql://root:secret@127.0.0.1:3306/hotline'), 'mysql://root:***@127.0.0.1:3306/hotline');
  t.is(redactUrl('mariadb://app:p4ss@db.example/center?ssl=true'), 'mariadb://app:***@db.example/center?ssl=true');
  t.is(redactUrl('mysql://root@127.0.0.1:3306/hotline'), 'mysql://root@127.0.0.1:3306/hotline');
  t.is(redactUrl('mysql://root:@h/db'), 'mysql://root:***@h/db');
  t.is(redactUrl('sqlite:/var/lib/hotline/hotline.sqlite'), 'sqlite:/var/lib/hotline/hotline.sqlite');
  // Passwords with characters that should have been percent-encoded still never leak, not even in part.
  for (const [url, secret] of [
    ['mysql://root:s3cr@t@db:3306/x', ['s3cr', 't@db']],
    ['mysql://root:a:b:c@db/x', ['a:b:c', 'b:c']],
    ['mysql://root:p%40ss@db/x', ['p%40ss']],
  ] as const) {
    const r = redactUrl(url);
    for (const s of secret) t.false(r.includes(s), `${r} does not contain ${s}`);
    t.true(r.startsWith('mysql://root:***@'), r);
    t.true(r.endsWith('/x'), r);
  }
});
