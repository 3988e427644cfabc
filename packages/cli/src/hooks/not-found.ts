import { toConfiguredId, type Hook } from '@oclif/core';
import { ExitCode } from '../exit-codes.js';

/** Edit distance (insert, delete, substitute, and swap of neighbours: `agnets` -> `agents` is 1). */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest command ids, if any is close enough to be a plausible typo. */
export function suggest(id: string, ids: string[]): string[] {
  const scored = ids.map((c) => ({ c, d: distance(id, c) })).sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  const best = scored[0];
  if (!best || best.d > Math.max(2, Math.floor(id.length / 3))) return [];
  return scored.filter((s) => s.d === best.d).map((s) => s.c);
}

/**
 * Unknown command: say so, suggest the nearest commands (also when not on a terminal, so scripts and
 * their logs see it), and exit 2 (usage error) without running anything.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const ids = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const typed = toConfiguredId(opts.id, opts.config);
  const near = suggest(opts.id, ids).map((s) => `${opts.config.bin} ${toConfiguredId(s, opts.config)}`);
  const topic = opts.id.split(':')[0]!;
  const help = `${opts.config.bin} help${opts.config.findTopic(topic) ? ` ${topic}` : ''}`;
  const hint = near.length ? `Did you mean ${near.map((n) => `\`${n}\``).join(' or ')}? ` : '';
  this.error(`${typed} is not a ${opts.config.bin} command. ${hint}Run \`${help}\` for a list of commands.`, { exit: ExitCode.usage });
};

export default hook;
