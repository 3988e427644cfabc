/**
 * Helpers shared by the documentation generators (settings-doc.mjs, cli-doc.mjs): markdown escaping,
 * replacing a marked region of a file, and the `--write` / `--check` command line.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Plain text as markdown: outside `code` spans, characters markdown would take as markup (`<tag>`,
 * `*emphasis*`, a line starting with `- `, `# ` or `1. `) are escaped, so the text reads as written.
 */
export function prose(text) {
  const escaped = String(text ?? '')
    .split(/(`[^`\n]*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/[\\*<>]/g, (c) => ({ '<': '&lt;', '>': '&gt;' })[c] ?? `\\${c}`)))
    .join('');
  return escaped.replace(/^(\s*)([-+#]|\d+[.)])(?=\s|$)/gm, (_m, space, marker) =>
    /^\d/.test(marker) ? `${space}${marker.slice(0, -1)}\\${marker.slice(-1)}` : `${space}\\${marker}`,
  );
}

/** Text for a markdown table cell: prose on one line. */
export function cell(text) {
  return prose(String(text ?? '').replace(/\s*\r?\n\s*/g, ' ').trim());
}

/** Inline code that survives backticks inside the value. */
export function code(text) {
  const s = String(text);
  if (s === '') return '(empty)';
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** A markdown table; pipes inside cells (also inside code spans) are escaped as GFM requires. */
export function table(header, rows) {
  const pipe = (c) => String(c).replace(/(?<!\\)\|/g, '\\|');
  const line = (cells) => `| ${cells.map(pipe).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** `content` with the text between `start` and `end` markers replaced by `body`. */
export function replaceBetween(content, start, end, body, file = 'file') {
  const i = content.indexOf(start);
  const j = content.indexOf(end, i + start.length);
  if (i < 0 || j < 0) throw new Error(`${file} has no ${start} ... ${end} markers`);
  if (content.indexOf(start, i + start.length) >= 0) throw new Error(`${file} has the ${start} marker twice`);
  return `${content.slice(0, i + start.length)}\n${body.trimEnd()}\n${content.slice(j)}`;
}

/** The first line where two texts differ, for a stale-file message. */
function firstDifference(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `  first difference at line ${i + 1}:\n    has:    ${x[i] ?? '(end of file)'}\n    wanted: ${y[i] ?? '(end of file)'}\n`;
  }
  return '';
}

/**
 * Parse `--write` / `--check` and act: `--write` rewrites `file` if it changed; `--check` exits 1 when
 * the file is stale, saying how to fix it; without a flag the expected content is printed to stdout.
 * `expected(current)` gets the current content (or undefined) and returns the content it should have.
 */
export function writeOrCheck({ file, expected, script }) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--write' && a !== '--check');
  if (unknown.length || args.length > 1) {
    process.stderr.write(`usage: node ${script} [--write | --check]\n`);
    process.exit(2);
  }
  const mode = args[0] === '--write' ? 'write' : args[0] === '--check' ? 'check' : 'print';
  const path = join(root, file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const want = expected(current);
  if (mode === 'print') {
    process.stdout.write(want);
  } else if (current === want) {
    process.stdout.write(`${file} is up to date\n`);
  } else if (mode === 'write') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, want);
    process.stdout.write(`wrote ${relative(root, path)}\n`);
  } else {
    process.stderr.write(
      `${file} is stale${current === undefined ? ' (missing)' : ''}: run \`node ${script} --write\` (or \`npm run docs\`) and commit the result\n` +
        (current === undefined ? '' : firstDifference(current, want)),
    );
    process.exitCode = 1;
  }
}
