import type { HotlineEvent } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { followEvents } from '../../follow-events.js';
import { eventColumns, eventLine } from '../../views.js';

export default class EventsTail extends HotlineCommand<typeof EventsTail> {
  static override description =
    'Read the event log: one page, or --follow it live until Ctrl-C.\n' +
    'With --follow --json every event is one JSON line (NDJSON), written as it arrives; a lost connection is resumed from the last cursor.';
  static override examples = [
    '<%= config.bin %> events tail --after 0 --limit 50',
    '<%= config.bin %> events tail --type "agent.*" --type queue.member_added --json',
    '<%= config.bin %> events tail --follow',
    '<%= config.bin %> events tail --follow --after 1200 --json | jq .type',
  ];
  static override flags = {
    after: Flags.integer({ description: 'start after this cursor (page: default 0; --follow: default now)', min: 0 }),
    type: Flags.string({ description: 'event type or prefix like "agent.*" (repeatable or comma-separated)', multiple: true, delimiter: ',' }),
    follow: Flags.boolean({ char: 'f', description: 'keep printing new events until interrupted' }),
    limit: Flags.integer({ description: 'page size, 1-1000 (default 100); with --follow: stop after this many events', min: 1 }),
  };

  async run(): Promise<HotlineEvent[] | undefined> {
    if (this.flags.follow) return this.follow();
    const page = await this.client().events.list({ after: this.flags.after ?? 0, limit: this.flags.limit ?? 100, types: this.flags.type });
    this.table(page.events, eventColumns, '(no events)');
    if (page.events.length === (this.flags.limit ?? 100)) this.note(`more events: --after ${page.next}`);
    return page.events;
  }

  private async follow(): Promise<undefined> {
    const ac = new AbortController();
    const stop = () => ac.abort();
    const onStdoutError = (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? stop() : undefined);
    process.once('SIGINT', stop).once('SIGTERM', stop);
    process.stdout.on('error', onStdoutError);
    const json = this.jsonEnabled();
    try {
      await followEvents({
        client: this.client(),
        after: this.flags.after,
        types: this.flags.type,
        limit: this.flags.limit,
        signal: ac.signal,
        onEvent: (e) => process.stdout.write(`${json ? JSON.stringify(e) : eventLine(e)}\n`),
        onLive: (cursor) => this.note(`-- live after cursor ${cursor} (Ctrl-C to stop) --`),
        // Not this.note(): a follower in --json mode should still say on stderr that it lost the server.
        onRetry: (r) =>
          this.logToStderr(`${r.attempt === 1 ? 'connection lost' : 'reconnect failed'} (${r.reason}); retrying in ${r.delayMs} ms${r.cursor === undefined ? '' : ` after cursor ${r.cursor}`}`),
      });
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      process.stdout.off('error', onStdoutError);
    }
    return undefined;
  }
}
