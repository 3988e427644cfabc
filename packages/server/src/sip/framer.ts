/**
 * Message framing on stream transports (TCP, TLS; RFC 3261 §18.3): bytes arrive in arbitrary chunks,
 * messages are delimited by the empty line after the headers plus Content-Length octets, and CRLFs
 * between messages are keepalives (RFC 5626 §3.5.1, §4.4.1: CRLFCRLF "ping", CRLF "pong").
 *
 * After a framing error (missing, invalid or conflicting Content-Length, too large) the position of the
 * next message is unknown: the framer reports a fatal error and ignores further input; the transport
 * should answer if it can and close the connection. Other errors (bad header syntax, 505, ...) consume
 * the message and the stream continues.
 *
 * Work is linear in the bytes received: the header search resumes where it stopped, and the buffer grows
 * by doubling, so tiny chunks cannot make the framer quadratic.
 */
import type { SipMessage } from './message.js';
import {
  DEFAULT_MAX_SIZE, failure, finishMessage, findHeaderEnd, frameBody, type Head, type ParseError, type ParseFailure,
  type ParseWarning, type PartialInfo, readHead,
} from './parse.js';

export type FramerEvent =
  | { type: 'message'; message: SipMessage; warnings: ParseWarning[] }
  | { type: 'error'; error: ParseError; isRequest: boolean; drop: boolean; partial?: PartialInfo; fatal: boolean }
  /** CRLFCRLF received: answer with one CRLF (RFC 5626 §4.4.1). */
  | { type: 'ping' }
  /** A lone CRLF between messages. */
  | { type: 'pong' };

export interface FramerOptions {
  /** Largest accepted message in bytes (default 64 KiB). */
  maxSize?: number;
}

export class StreamFramer {
  private store = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  private scanFrom = 0;
  private pending: { head: Head; bodyEnd: number } | undefined;
  private dead = false;
  private readonly maxSize: number;

  constructor(opts: FramerOptions = {}) {
    this.maxSize = opts.maxSize ?? DEFAULT_MAX_SIZE;
  }

  /** Bytes received but not yet consumed. */
  get buffered(): number {
    return this.end - this.pos;
  }

  /** True after a fatal framing error: the connection should be closed. */
  get closed(): boolean {
    return this.dead;
  }

  /** Add received bytes; returns the events they completed, in order. */
  feed(chunk: Buffer): FramerEvent[] {
    if (this.dead) return [];
    this.append(chunk);
    const events: FramerEvent[] = [];
    try {
      while (this.step(events));
    } catch (err) {
      // Defensive only: never throw into a socket handler.
      this.fatal(events, { code: 400, reason: `Unparseable stream (${err instanceof Error ? err.name : 'error'})` });
    }
    return events;
  }

  /** Try to produce one event; false when more bytes are needed (or the stream is dead). */
  private step(events: FramerEvent[]): boolean {
    if (this.dead) return false;
    if (this.pending) return this.completeBody(events);
    const ka = this.keepalive();
    if (ka === 'wait') return false;
    if (ka !== undefined) {
      if (ka !== 'skip') events.push(ka);
      this.scanFrom = this.pos;
      return true;
    }
    if (this.pos === this.end) return false;
    const he = findHeaderEnd(this.store.subarray(0, this.end), Math.max(this.scanFrom, this.pos));
    if (!he) {
      if (this.end - this.pos > this.maxSize) return this.fatal(events, { code: 513, reason: 'Message Too Large' });
      this.scanFrom = Math.max(this.pos, this.end - 3);
      return false;
    }
    const head = readHead(this.store.subarray(0, this.end), this.pos, he);
    if (he.bodyStart - this.pos > this.maxSize) return this.fatal(events, { code: 513, reason: 'Message Too Large' }, head);
    const frame = frameBody(head, this.end, 'stream');
    if ('error' in frame) return this.fatal(events, frame.error, head);
    if (frame.bodyEnd - this.pos > this.maxSize) return this.fatal(events, { code: 413, reason: 'Request Entity Too Large' }, head);
    this.pending = { head, bodyEnd: frame.bodyEnd };
    return this.completeBody(events);
  }

  private completeBody(events: FramerEvent[]): boolean {
    const p = this.pending!;
    if (this.end < p.bodyEnd) return false;
    const result = finishMessage(this.store, p.head, p.bodyEnd);
    events.push(result.ok ? { type: 'message', message: result.message, warnings: result.warnings } : errorEvent(result, false));
    this.pending = undefined;
    this.pos = this.scanFrom = p.bodyEnd;
    return true;
  }

  /** CRLFs at a message boundary (RFC 3261 §7.5, RFC 5626 §4.4.1). */
  private keepalive(): FramerEvent | 'wait' | 'skip' | undefined {
    const b = this.store;
    const p = this.pos;
    const avail = this.end - p;
    if (avail === 0) return undefined;
    if (b[p] === 0x0a) {
      this.pos++;
      return 'skip';
    }
    if (b[p] !== 0x0d) return undefined;
    if (avail < 2) return 'wait';
    if (b[p + 1] !== 0x0a) return undefined;
    if (avail < 4 && (avail < 3 || b[p + 2] === 0x0d)) return 'wait';
    if (b[p + 2] === 0x0d && b[p + 3] === 0x0a) {
      this.pos += 4;
      return { type: 'ping' };
    }
    this.pos += 2;
    return { type: 'pong' };
  }

  private fatal(events: FramerEvent[], error: ParseError, head?: Head): false {
    events.push(errorEvent(failure(error, head?.isRequest ?? false, head), true));
    this.dead = true;
    this.pending = undefined;
    this.store = Buffer.alloc(0);
    this.pos = this.end = this.scanFrom = 0;
    return false;
  }

  /** Append a chunk, compacting consumed bytes away and growing the store by doubling. */
  private append(chunk: Buffer): void {
    if (this.pos === this.end && !this.pending) this.pos = this.end = this.scanFrom = 0;
    if (this.end + chunk.length > this.store.length) {
      const live = this.end - this.pos;
      const need = live + chunk.length;
      const next = need <= this.store.length ? this.store : Buffer.allocUnsafe(Math.max(need, this.store.length * 2, 4096));
      this.store.copy(next, 0, this.pos, this.end);
      this.rebase(this.pos);
      this.store = next;
    }
    chunk.copy(this.store, this.end);
    this.end += chunk.length;
  }

  /** Shift every stored offset down by `by` after moving the live bytes to the front. */
  private rebase(by: number): void {
    this.end -= by;
    this.scanFrom = Math.max(0, this.scanFrom - by);
    if (this.pending) {
      this.pending.bodyEnd -= by;
      this.pending.head.start -= by;
      this.pending.head.bodyStart -= by;
    }
    this.pos = 0;
  }
}

function errorEvent(f: ParseFailure, fatal: boolean): FramerEvent {
  return { type: 'error', error: f.error, isRequest: f.isRequest, drop: f.drop, ...(f.partial ? { partial: f.partial } : {}), fatal };
}
