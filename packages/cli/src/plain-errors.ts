import type { Command } from '@oclif/core';
import { HotlineCommand } from './base.js';

/**
 * A HotlineCommand whose errors, for humans, are printed as plain lines on stderr (`Error: ...`), not
 * wrapped to the terminal width nor prefixed by oclif's `›` marker. Used where error lines are meant
 * to be read by tools too: `file:line:column: ...` problems of a center file, and `server start`
 * failures that must stay one line. With --json the base behaviour (an error object on stdout) holds.
 */
export abstract class PlainErrorsCommand<T extends typeof Command> extends HotlineCommand<T> {
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    const failure = HotlineCommand.failureOf(err);
    if (failure && !this.jsonEnabled()) {
      const lines = failure.message.split('\n');
      // Located problems (`file:line:col: ...`) come first, then the summary as the `Error:` line.
      const located = lines.length > 1 && /^.+?:\d+:\d+: /.test(lines[0]!);
      const out = located ? [...lines.slice(0, -1), `Error: ${lines.at(-1)}`] : [`Error: ${lines[0]}`, ...lines.slice(1)];
      process.stderr.write(`${out.join('\n')}\n`);
      this.exit(failure.exit);
    }
    return super.catch(err);
  }
}
