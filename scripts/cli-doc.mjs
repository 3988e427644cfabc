#!/usr/bin/env node
/**
 * docs/cli.md, the `hotline` command reference, generated from the CLI itself: oclif's Config is
 * loaded from packages/cli and every command is loaded (`cmd.load()`), so a command that does not even
 * import fails here. For each command: usage (exactly as `--help` prints it), description, arguments,
 * flags and examples; then the exit codes, from packages/cli/src/exit-codes.ts (values from the build,
 * meanings from the doc comment above each code).
 *
 *   node scripts/cli-doc.mjs            print docs/cli.md as it should be
 *   node scripts/cli-doc.mjs --write    rewrite docs/cli.md
 *   node scripts/cli-doc.mjs --check    exit 1 when docs/cli.md is stale (a test runs this)
 *
 * Needs the build (`npm run build`): it reads packages/cli/dist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CommandHelp, Config, Plugin } from '@oclif/core';
import ts from 'typescript';
import { cell, code, prose, root, table, writeOrCheck } from './lib/docgen.mjs';

const SCRIPT = 'scripts/cli-doc.mjs';
const cliRoot = join(root, 'packages/cli');
const exitCodesJs = join(cliRoot, 'dist/src/exit-codes.js');
const exitCodesTs = join(cliRoot, 'src/exit-codes.ts');

if (!existsSync(exitCodesJs)) {
  process.stderr.write(`${exitCodesJs} is missing: run \`npm run build\` first\n`);
  process.exit(1);
}

// eslint-disable-next-line no-control-regex -- ANSI escapes are control characters by definition
const stripAnsi = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');

// --- commands ------------------------------------------------------------------------------------

const config = await Config.load({ root: cliRoot, devPlugins: false, userPlugins: false });
const sep = config.topicSeparator;
const spaced = (id) => id.replaceAll(':', sep);
const pjsonTopics = config.pjson.oclif?.topics ?? {};

/** Help formatter for one command, with no terminal width (no wrapping) and no colours. */
function helper(cmd) {
  return new CommandHelp({ ...cmd, id: spaced(cmd.id) }, config, { maxWidth: 10_000, stripAnsi: true });
}

function renderText(help, text) {
  return stripAnsi(help.render(text ?? '')).trim();
}

function flagName(f) {
  const long = f.type === 'boolean' && f.allowNo ? `--[no-]${f.name}` : `--${f.name}`;
  const value = f.type === 'option' ? ` ${f.helpValue ?? (f.options ? `<${f.options.join('|')}>` : '<value>')}` : '';
  return `${f.char ? `-${f.char}, ` : ''}${long}${value}`;
}

function flagNotes(f) {
  const notes = [];
  if (f.required) notes.push('required');
  if (f.multiple && !/repeatable/i.test(f.description ?? '')) notes.push('repeatable');
  if (f.options && f.helpValue) notes.push(`one of ${f.options.map((o) => code(o)).join(', ')}`);
  if (f.default !== undefined && typeof f.default !== 'function' && f.default !== false) notes.push(`default ${code(f.default)}`);
  if (f.env && !(f.description ?? '').includes(f.env)) notes.push(`env ${code(f.env)}`);
  if (f.exclusive?.length) notes.push(`not with ${f.exclusive.map((x) => code(`--${x}`)).join(', ')}`);
  if (f.dependsOn?.length) notes.push(`needs ${f.dependsOn.map((x) => code(`--${x}`)).join(', ')}`);
  if (f.deprecated) notes.push('deprecated');
  return notes.join('; ');
}

function flagRow(help, f) {
  const description = renderText(help, f.summary ?? f.description);
  const notes = flagNotes(f);
  return [code(flagName(f)), cell([description, notes && `(${notes})`].filter(Boolean).join(' '))];
}

function argRow(help, a) {
  const notes = [];
  if (a.options) notes.push(`one of ${a.options.map((o) => code(o)).join(', ')}`);
  if (a.default !== undefined && typeof a.default !== 'function') notes.push(`default ${code(a.default)}`);
  const name = `${a.name.toUpperCase()}${a.multiple ? '...' : ''}`;
  return [code(name), a.required ? 'yes' : 'no', cell([renderText(help, a.description), notes.length ? `(${notes.join('; ')})` : ''].filter(Boolean).join(' '))];
}

/** Examples as `sh` blocks: plain command examples together in one block, described ones each with its text. */
function examplesOf(help, examples) {
  const out = [];
  let block = [];
  const flush = () => {
    if (block.length) out.push('```sh', ...block, '```', '');
    block = [];
  };
  const asCommand = (line) => (line.startsWith(`${config.bin} `) ? `$ ${line}` : line);
  for (const ex of examples ? [examples].flat() : []) {
    if (typeof ex === 'string') {
      block.push(...renderText(help, ex).split('\n').map(asCommand));
    } else {
      flush();
      out.push(prose(renderText(help, ex.description)), '', '```sh', asCommand(renderText(help, ex.command)), '```', '');
    }
  }
  flush();
  return out;
}

const anchor = (id) => `${config.bin}-${spaced(id)}`.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');

/** The global flags every HotlineCommand has, described once at the top. */
const isGlobal = (f) => f.helpGroup === 'GLOBAL';

async function commandSection(cmd) {
  // Loading the class proves the command module imports; the cached view (cmd) has the merged flags.
  let Cls;
  try {
    Cls = await cmd.load();
  } catch (err) {
    throw new Error(`cannot load the command \`${config.bin} ${spaced(cmd.id)}\`: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const help = helper({ ...cmd, examples: cmd.examples ?? Cls.examples, usage: cmd.usage ?? Cls.usage });
  const usage = renderText(help, help.usage());
  const description = renderText(help, [cmd.summary, cmd.description ?? Cls.description].filter(Boolean).join('\n\n'));
  const args = Object.values(cmd.args ?? {}).filter((a) => !a.hidden);
  const flags = Object.values(cmd.flags ?? {}).filter((f) => !f.hidden);
  const own = flags.filter((f) => !isGlobal(f)).sort((a, b) => a.name.localeCompare(b.name));
  const globals = flags.filter(isGlobal).map((f) => code(`--${f.name}`));

  const out = [`### \`${config.bin} ${spaced(cmd.id)}\``, ''];
  if (description) out.push(prose(description), '');
  out.push('```', usage, '```', '');
  if (cmd.aliases?.length) out.push(`Aliases: ${cmd.aliases.map((a) => code(`${config.bin} ${spaced(a)}`)).join(', ')}`, '');
  if (args.length) out.push('Arguments:', '', table(['argument', 'required', 'description'], args.map((a) => argRow(help, a))), '');
  if (own.length) out.push('Flags:', '', table(['flag', 'description'], own.map((f) => flagRow(help, f))), '');
  if (globals.length) out.push(`Global flags: ${globals.join(', ')} (see [Global flags](#global-flags)).`, '');
  const examples = examplesOf(help, cmd.examples ?? Cls.examples);
  if (examples.length) out.push('Examples:', '', ...examples);
  return out.join('\n').trimEnd();
}

// The CLI's own commands are read from dist/src/commands, never from oclif.manifest.json (a build
// artefact that may be stale); errorOnManifestCreate makes a command that fails to import an error.
const own = new Plugin({ root: cliRoot, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true });
await own.load();
const commands = [...own.commands, ...config.commands.filter((c) => c.pluginName !== own.name)]
  .filter((c) => !c.hidden)
  .sort((a, b) => a.id.localeCompare(b.id));
if (commands.length === 0) throw new Error(`oclif found no commands under ${cliRoot}; is packages/cli built?`);

// Group by first topic; top-level commands first.
const topicOf = (id) => (id.includes(':') ? id.split(':')[0] : '');
const groups = new Map();
for (const c of commands) {
  const t = topicOf(c.id);
  if (!groups.has(t)) groups.set(t, []);
  groups.get(t).push(c);
}
const topicNames = [...groups.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));

// Global flags: take them from the first command that has them.
const globalFlags = new Map();
for (const c of commands) for (const f of Object.values(c.flags ?? {})) if (isGlobal(f) && !f.hidden && !globalFlags.has(f.name)) globalFlags.set(f.name, { f, c });

// --- exit codes ----------------------------------------------------------------------------------

/** Doc comments of the properties of `export const ExitCode = {...}` in exit-codes.ts, by key. */
function exitCodeComments() {
  const text = readFileSync(exitCodesTs, 'utf8');
  const sf = ts.createSourceFile(exitCodesTs, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const comments = new Map();
  const visit = (node) => {
    if (ts.isVariableDeclaration(node) && node.name.getText(sf) === 'ExitCode' && node.initializer) {
      let init = node.initializer;
      while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (!ts.isObjectLiteralExpression(init)) throw new Error('ExitCode in exit-codes.ts is not an object literal');
      for (const p of init.properties) {
        const key = p.name?.getText(sf).replace(/^['"]|['"]$/g, '');
        const jsdoc = ts.getJSDocCommentsAndTags(p).filter(ts.isJSDoc);
        const comment = jsdoc.map((d) => ts.getTextOfJSDocComment(d.comment) ?? '').join(' ').replace(/\s+/g, ' ').trim();
        if (key) comments.set(key, comment);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return comments;
}

const { ExitCode } = await import(pathToFileURL(exitCodesJs).href);
const comments = exitCodeComments();
const exitRows = [];
for (const [key, value] of Object.entries(ExitCode).sort((a, b) => a[1] - b[1])) {
  if (!comments.has(key)) throw new Error(`exit code ${key} is in the build but not in ${exitCodesTs}: rebuild (npm run build)`);
  const meaning = comments.get(key) || (value === 0 ? 'Success.' : '');
  if (!meaning) throw new Error(`exit code ${key} (${value}) has no doc comment in packages/cli/src/exit-codes.ts: say what it means`);
  exitRows.push([String(value), code(key), cell(meaning)]);
}
for (const key of comments.keys()) {
  if (!(key in ExitCode)) throw new Error(`exit code ${key} is in ${exitCodesTs} but not in the build: rebuild (npm run build)`);
}

// --- the document --------------------------------------------------------------------------------

function document() {
  const out = [
    `# \`${config.bin}\` command reference`,
    '',
    '<!-- Generated by scripts/cli-doc.mjs from the commands in packages/cli (`npm run docs`); do not edit by hand. -->',
    '',
    `Commands are \`${config.bin} <topic> <verb>\`. Data goes to stdout and diagnostics to stderr; with \`--json\`, stdout is one`,
    `JSON document (or one JSON object per line for streams). \`${config.bin} help <command>\` and \`--help\` print the same`,
    'usage as below.',
    '',
    '## Commands',
    '',
    table(
      ['command', 'summary'],
      commands.map((c) => {
        const help = helper(c);
        const summary = renderText(help, c.summary ?? (c.description ?? '').split('\n')[0]);
        return [`[\`${config.bin} ${spaced(c.id)}\`](#${anchor(c.id)})`, cell(summary)];
      }),
    ),
    '',
    '## Global flags',
    '',
    'Every command that talks to a server takes these (each command below says which it has):',
    '',
    table(
      ['flag', 'description'],
      [...globalFlags.values()].map(({ f, c }) => flagRow(helper(c), f)),
    ),
    '',
    'The connection comes from the flags, then the environment, then the profile saved by `hotline login`.',
    '',
  ];
  return out;
}

const sections = [];
for (const t of topicNames) {
  const title = t === '' ? 'Top-level commands' : `\`${config.bin} ${t}\``;
  const topicDescription = t === '' ? '' : (pjsonTopics[t]?.description ?? '');
  sections.push(`## ${title}`, '');
  if (topicDescription) sections.push(prose(topicDescription), '');
  for (const c of groups.get(t)) sections.push(await commandSection(c), '');
}

const text = [
  ...document(),
  ...sections,
  '## Exit codes',
  '',
  `Exit codes are a contract for scripts (packages/cli/src/exit-codes.ts); tests pin them.`,
  '',
  table(['code', 'name', 'meaning'], exitRows),
  '',
].join('\n');

writeOrCheck({ file: 'docs/cli.md', script: SCRIPT, expected: () => text.replace(/\n{3,}/g, '\n\n') });
