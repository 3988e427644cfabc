import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { matchesTypes, type HotlineEvent } from '../../events/log.js';
import { maskLogEntry, masksPhonesFor } from '../masking.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

export const EventSchema = Type.Object({
  cursor: Type.Integer(),
  type: Type.String(),
  at: Type.String(),
  subjectType: Type.String(),
  subjectId: Type.String(),
  agentId: Type.Union([Type.String(), Type.Null()]),
  queueId: Type.Union([Type.String(), Type.Null()]),
  callId: Type.Union([Type.String(), Type.Null()]),
  payload: Type.Record(Type.String(), Type.Unknown()),
});

const TypesParam = Type.Optional(Type.String({ description: 'comma-separated types or prefixes (`agent.*`)' }));
const parseTypes = (t: string | undefined) => (t ? t.split(',').map((x) => x.trim()).filter(Boolean) : undefined);

/** Stop feeding a consumer that has this much unsent; it reconnects with `after=<last cursor>`. */
const MAX_BUFFERED = 8 * 1024 * 1024;
const PAGE = 500;

/**
 * Replay from a cursor, then continue live, with no gap and no duplicate: subscribe first (buffering),
 * page through history, then drain the buffer skipping what replay already sent. Cursors commit in
 * order (db/writer.ts), so every event is either in history when read or arrives on the bus later.
 * `mask`: the caller's role reads phone numbers masked (setting privacy.maskPhonesFor, api/masking.ts).
 */
async function stream(s: Services, socket: WebSocket, after: number | undefined, types: string[] | undefined, mask: boolean): Promise<void> {
  let last = after ?? (await s.store.events.lastCursor());
  let live = false;
  const pending: HotlineEvent[] = [];
  const send = (e: HotlineEvent) => {
    if (e.cursor <= last || socket.readyState !== socket.OPEN) return;
    last = e.cursor;
    socket.send(JSON.stringify({ kind: 'event', event: mask ? maskLogEntry(e) : e }));
    if (socket.bufferedAmount > MAX_BUFFERED) socket.close(1008, `consumer too slow; reconnect with after=${last}`);
  };
  const unsubscribe = s.store.events.subscribe((e) => {
    if (!matchesTypes(e.type, types)) return;
    if (live) send(e);
    else pending.push(e);
  });
  socket.on('close', unsubscribe);
  for (;;) {
    const page = await s.store.events.page({ after: last, types, limit: PAGE });
    page.forEach(send);
    if (page.length < PAGE || socket.readyState !== socket.OPEN) break;
  }
  pending.forEach(send);
  pending.length = 0;
  live = true;
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ kind: 'live', cursor: last }));
}

export function registerEventRoutes(app: FastifyInstance, s: Services): void {
  addRoute(app, s, {
    method: 'GET', url: '/v1/events', access: 'events:read', summary: 'Page through the event log', tags: ['events'],
    querystring: Type.Object(
      { after: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), type: TypesParam },
      { additionalProperties: false },
    ),
    response: Type.Object({ events: Type.Array(EventSchema), next: Type.Integer({ description: 'cursor to pass as `after` next' }) }),
    handler: async ({ query }) => {
      const events = await s.store.events.page({ after: query.after ?? 0, types: parseTypes(query.type), limit: query.limit ?? 100 });
      return { events, next: events.at(-1)?.cursor ?? query.after ?? 0 };
    },
  });

  app.get(
    '/v1/stream',
    {
      websocket: true,
      config: { access: 'events:read' },
      schema: {
        summary: 'WebSocket: replay from `after`, then live events (`{kind:"event",event}`; `{kind:"live",cursor}` once caught up)',
        tags: ['events'],
        security: [{ bearer: [] }],
        querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0 })), type: TypesParam }, { additionalProperties: false }),
      },
    },
    (socket, req) => {
      const q = req.query as { after?: number; type?: string };
      const ping = setInterval(() => socket.ping(), 25_000);
      socket.on('close', () => clearInterval(ping));
      // The GET /v1/events masking (api/masking.ts preSerialization) does not see WebSocket frames.
      stream(s, socket, q.after, parseTypes(q.type), masksPhonesFor(s, req.principal?.user.role)).catch((err: Error) => {
        req.log.warn({ err: err.message }, 'event stream failed');
        socket.close(1011, 'stream failed');
      });
    },
  );
}
