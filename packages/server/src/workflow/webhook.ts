/**
 * Webhook delivery: POST the event as JSON with an HMAC-SHA256 signature of the exact body
 * (`X-Hotline-Signature: sha256=<hex>`, keyed with the rule's secret) and an `Idempotency-Key`
 * (the event cursor and the rule id, so a receiver can drop repeats). Retried on network errors,
 * timeouts and 5xx answers with exponential backoff (base, 2 x base, 4 x base, ...) up to `attempts`
 * tries; a 2xx ends it, any other answer (4xx) is final; an abort signal (shutdown) ends it at once.
 * Every attempt is returned for the delivery log.
 */
import { createHmac } from 'node:crypto';

export interface WebhookOptions {
  /** Backoff before the second attempt, doubled after each (default 1000 ms). */
  backoffMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** How to wait between attempts (tests inject an instant one). */
  sleep?: (ms: number) => Promise<void>;
  /** Aborts the attempt in flight and the wait (the engine stopping); no further attempts. */
  signal?: AbortSignal;
}

export interface Attempt {
  attempt: number;
  status: number | null;
  error: string | null;
}

export interface Delivery {
  ok: boolean;
  attempts: Attempt[];
}

export function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const STOPPED = 'stopped: the server is shutting down';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export async function deliver(url: string, body: string, secret: string, idempotencyKey: string, maxAttempts: number, opts: WebhookOptions = {}): Promise<Delivery> {
  const backoff = opts.backoffMs ?? 1000;
  const sleep = opts.sleep ?? defaultSleep;
  const attempts: Attempt[] = [];
  const stop = opts.signal;
  const stopped = stop ? new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true })) : null;
  for (let n = 1; n <= maxAttempts; n++) {
    if (stop?.aborted) {
      attempts.push({ attempt: n, status: null, error: STOPPED });
      break;
    }
    let retry: boolean;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hotline-signature': sign(secret, body), 'idempotency-key': idempotencyKey, 'user-agent': 'hotline-rules' },
        body,
        signal: stop ? AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 10_000), stop]) : AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      attempts.push({ attempt: n, status: res.status, error: null });
      if (res.ok) return { ok: true, attempts };
      retry = res.status >= 500;
    } catch (err) {
      if (stop?.aborted) {
        attempts.push({ attempt: n, status: null, error: STOPPED });
        break;
      }
      attempts.push({ attempt: n, status: null, error: err instanceof Error ? err.message : String(err) });
      retry = true;
    }
    if (!retry) break;
    if (n < maxAttempts) await (stopped ? Promise.race([sleep(backoff * 2 ** (n - 1)), stopped]) : sleep(backoff * 2 ** (n - 1)));
  }
  return { ok: false, attempts };
}
