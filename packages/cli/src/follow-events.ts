/**
 * Follow the event stream across connection losses: replay from a cursor, then live; when the
 * connection drops, reconnect from the last cursor seen after a short, growing backoff. Ends when
 * `signal` aborts or `limit` events were delivered. It fails (rejects) on an API error (bad token, bad
 * filter), which reconnecting cannot fix, and when the very first connection cannot be made.
 */
import { ApiError, ConnectionError, type HotlineClient, type HotlineEvent } from '@hotline/server/client';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FollowOptions {
  client: HotlineClient;
  /** Replay events after this cursor; undefined: only events from now on. */
  after?: number;
  types?: string[];
  /** Stop after this many events. */
  limit?: number;
  signal: AbortSignal;
  onEvent(e: HotlineEvent): void;
  /** Replay caught up (after every (re)connect). */
  onLive?(cursor: number): void;
  /** The connection was lost (attempt 1) or reconnecting failed (2, 3, ...); next try in `delayMs`, after `cursor`. */
  onRetry?(r: { reason: string; attempt: number; delayMs: number; cursor: number | undefined }): void;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 5000];

export async function followEvents(o: FollowOptions): Promise<void> {
  const done = new AbortController();
  const signal = AbortSignal.any([o.signal, done.signal]);
  let after = o.after;
  let count = 0;
  let failures = 0;
  let connected = false;
  while (!signal.aborted) {
    let reason = 'the server closed the stream';
    try {
      await o.client.events.stream({
        after,
        types: o.types,
        signal,
        onEvent: (e) => {
          connected = true;
          if (signal.aborted) return;
          after = e.cursor;
          o.onEvent(e);
          if (o.limit !== undefined && ++count >= o.limit) done.abort();
        },
        onLive: (cursor) => {
          connected = true;
          failures = 0;
          after = Math.max(after ?? 0, cursor);
          o.onLive?.(cursor);
        },
      });
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ApiError || !connected || !(err instanceof Error)) throw err;
      reason = err instanceof ConnectionError ? err.reason : err.message;
    }
    if (signal.aborted) return;
    const delayMs = BACKOFF_MS[Math.min(failures++, BACKOFF_MS.length - 1)]!;
    o.onRetry?.({ reason, attempt: failures, delayMs, cursor: after });
    await sleep(delayMs, undefined, { signal }).catch(() => undefined);
  }
}
