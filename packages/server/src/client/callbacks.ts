/** The scheduled callbacks part of the typed client (`client.callbacks`); types from workflow/callback-schemas.ts (type-only imports). */
import type { Callback, CallbackInput, CallbackQuery, CallbackStatus } from '../workflow/callback-schemas.js';

export type { Callback, CallbackInput, CallbackQuery, CallbackStatus };

type Requester = { request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number | boolean | undefined>): Promise<T> };

const one = (id: number | string) => `/v1/callbacks/${encodeURIComponent(String(id))}`;

export class CallbacksClient {
  constructor(private readonly c: Requester) {}

  list(q: CallbackQuery = {}): Promise<Callback[]> {
    return this.c.request('GET', '/v1/callbacks', undefined, { ...q });
  }
  get(id: number | string): Promise<Callback> {
    return this.c.request('GET', one(id));
  }
  create(input: CallbackInput): Promise<Callback> {
    return this.c.request('POST', '/v1/callbacks', input);
  }
  cancel(id: number | string): Promise<Callback> {
    return this.c.request('POST', `${one(id)}/cancel`);
  }
}
