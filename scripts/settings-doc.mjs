#!/usr/bin/env node
/**
 * The README's settings table, generated from the server's config schema (`settings`, exported by
 * @hotline/server from packages/server/src/config/schema.ts), between the markers
 * `<!-- settings:start -->` and `<!-- settings:end -->` of README.md.
 *
 *   node scripts/settings-doc.mjs            print the README as it should be
 *   node scripts/settings-doc.mjs --write    rewrite README.md
 *   node scripts/settings-doc.mjs --check    exit 1 when README.md is stale (a test runs this)
 *
 * Needs the build (`npm run build`): it reads packages/server/dist/src/index.js.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cell, code, replaceBetween, root, table, writeOrCheck } from './lib/docgen.mjs';

const START = '<!-- settings:start -->';
const END = '<!-- settings:end -->';
const SCRIPT = 'scripts/settings-doc.mjs';

const entry = join(root, 'packages/server/dist/src/index.js');
if (!existsSync(entry)) {
  process.stderr.write(`${entry} is missing: run \`npm run build\` first\n`);
  process.exit(1);
}
const { settings } = await import(pathToFileURL(entry).href);
if (!Array.isArray(settings) || settings.length === 0) {
  process.stderr.write('@hotline/server exports no `settings` list\n');
  process.exit(1);
}

function defaultText(s) {
  if (s.defaultDoc !== undefined) return code(s.defaultDoc);
  if (typeof s.default === 'function') {
    throw new Error(`setting ${s.key} has a derived default but no defaultDoc saying how it reads in the docs`);
  }
  return code(s.default);
}

export function settingsTable(list) {
  const rows = list.map((s) => [code(s.env), code(s.key), defaultText(s), cell(s.description)]);
  return [
    '<!-- Generated from packages/server/src/config/schema.ts by `npm run docs`; edit the schema, not this table. -->',
    table(['Environment variable', 'File key (YAML path)', 'Default', 'Description'], rows),
  ].join('\n');
}

const PLACEHOLDER = `# Hotline\n\n## Settings\n\n${START}\n${END}\n`;

writeOrCheck({
  file: 'README.md',
  script: SCRIPT,
  expected: (current) => replaceBetween(current ?? PLACEHOLDER, START, END, settingsTable(settings), 'README.md'),
});
