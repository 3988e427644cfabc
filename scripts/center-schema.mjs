#!/usr/bin/env node
/**
 * docs/center.schema.json is generated from the server's CenterFile schema
 * (packages/server/src/center/schema.ts), the same schema the server validates center files with.
 *
 *   node scripts/center-schema.mjs           print the schema
 *   node scripts/center-schema.mjs --write   write docs/center.schema.json
 *   node scripts/center-schema.mjs --check   exit 1 when the committed file is stale (run by the tests)
 *
 * Needs a build first (`npm run build`): it reads the compiled server package.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const target = fileURLToPath(new URL('../docs/center.schema.json', import.meta.url));
const mode = process.argv[2] ?? '--print';
if (!['--print', '--write', '--check'].includes(mode)) {
  console.error(`usage: node scripts/center-schema.mjs [--write | --check]   (got ${mode})`);
  process.exit(2);
}

let CenterFile;
try {
  ({ CenterFile } = await import('@hotline/server'));
} catch (err) {
  console.error(`cannot load @hotline/server (run \`npm run build\` first): ${err.message}`);
  process.exit(1);
}

// JSON.stringify drops TypeBox's symbol keys, leaving plain JSON Schema (draft-07 compatible).
const head = { $schema: 'http://json-schema.org/draft-07/schema#', $id: CenterFile.$id, title: 'Hotline center file', description: CenterFile.description };
const text = `${JSON.stringify({ ...head, ...CenterFile }, null, 2)}\n`;

if (mode === '--print') {
  process.stdout.write(text);
} else if (mode === '--write') {
  writeFileSync(target, text);
  console.error(`wrote ${target}`);
} else {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    /* missing counts as stale */
  }
  if (committed !== text) {
    console.error('docs/center.schema.json is out of date with the server\'s CenterFile schema; run: node scripts/center-schema.mjs --write');
    process.exit(1);
  }
  console.error('docs/center.schema.json is up to date');
}
