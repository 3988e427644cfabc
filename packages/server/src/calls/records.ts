/**
 * Call records and call events. The B2BUA reports every step (CallSink); each becomes, in one writer
 * transaction, an upsert of the `calls` row (and its `call_legs`) and one event: `call.started`,
 * `call.ringing`, `call.answered`, `call.ended`, `call.transferred`, `call.held`, `call.resumed` (subject
 * `call`, callId set, agentId = the call's first agent: the caller's extension, or for a trunk caller the
 * callee's). Every payload has the call's from/to/direction/trunk/state/hangupBy/status/reason (after the
 * step); `call.transferred` adds `transfer` (calls/call.ts TransferInfo), `call.held`/`call.resumed` add
 * `by` (caller|callee) and `party` (that side's extension or number). The writer runs transactions in
 * order, so the record and the events follow the call's order (under load it group-commits several
 * steps into one transaction, each step still atomic: db/writer.ts). Failures are logged, never thrown
 * into SIP handling.
 */
import type { Logger } from 'pino';
import { CallLegRow, CallRow } from '../db/entities/index.js';
import { RowUpsert } from '../db/row-upsert.js';
import type { WriteContext } from '../db/writer.js';
import { NotFound } from '../errors.js';
import type { Store } from '../events/changes.js';
import { type Call, type CallDirection, type CallInfo, type CallSide, type CallSink, type CallState, type HangupBy, type LegState, partyOf } from './call.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function rowOf(c: Call): CallRow {
  const row = new CallRow();
  Object.assign(row, {
    id: c.id, fromExt: c.from, toExt: c.to, direction: c.direction, trunk: c.trunk, state: c.state, startedAt: c.startedAt,
    ringingAt: c.ringingAt, answeredAt: c.answeredAt, endedAt: c.endedAt, hangupBy: c.hangupBy, status: c.status, reason: c.reason,
  });
  return row;
}

function legRows(c: Call): CallLegRow[] {
  return c.legs.map((l, position) => Object.assign(new CallLegRow(), {
    id: l.id, callId: c.id, contact: l.contact, transport: l.destination.transport, state: l.state, status: l.status, position,
  }));
}

function infoOf(row: CallRow, legs: CallLegRow[]): CallInfo {
  return {
    id: row.id, from: row.fromExt, to: row.toExt, direction: row.direction as CallDirection, trunk: row.trunk, state: row.state as CallState,
    startedAt: row.startedAt.toISOString(), ringingAt: iso(row.ringingAt), answeredAt: iso(row.answeredAt), endedAt: iso(row.endedAt),
    hangupBy: row.hangupBy as HangupBy | null, status: row.status, reason: row.reason,
    legs: legs.sort((a, b) => a.position - b.position)
      .map((l) => ({ id: l.id, contact: l.contact, transport: l.transport, state: l.state as LegState, status: l.status })),
  };
}

export class CallRecords {
  private prepared: { calls: RowUpsert<CallRow>; legs: RowUpsert<CallLegRow> } | undefined;

  constructor(private readonly store: Store) {}

  private upserts(): { calls: RowUpsert<CallRow>; legs: RowUpsert<CallLegRow> } {
    return (this.prepared ??= { calls: new RowUpsert(this.store.ds, CallRow), legs: new RowUpsert(this.store.ds, CallLegRow) });
  }

  /** The sink the B2BUA reports to; write failures are logged to `log`. */
  sink(log: Logger): CallSink {
    const step = (type: string, call: Call, extra: Record<string, unknown> = {}) => {
      // Snapshot now: the call object keeps changing while the write waits for the writer.
      const row = rowOf(call);
      const legs = legRows(call);
      const payload: Record<string, unknown> = {
        from: call.from, to: call.to, direction: call.direction, trunk: call.trunk, state: call.state, hangupBy: call.hangupBy, status: call.status,
        reason: call.reason, ...extra,
      };
      this.store.writer
        .run(async (tx: WriteContext) => {
          // Raw upserts, not save(): save() SELECTs every row first to choose INSERT or UPDATE, and the
          // query builder costs more CPU than SQLite itself; together they were most of a call's CPU
          // time (scripts/bench/sip-load.mjs).
          await this.upserts().calls.run(tx.em, [row]);
          if (legs.length > 0) await this.upserts().legs.run(tx.em, legs);
          await this.store.events.append(tx, { type, subjectType: 'call', subjectId: call.id, agentId: call.agents[0] ?? null, callId: call.id, payload });
        })
        .catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err), type, call: call.id }, 'call record not written'));
    };
    return {
      started: (c) => step('call.started', c),
      ringing: (c) => step('call.ringing', c),
      answered: (c) => step('call.answered', c),
      ended: (c) => step('call.ended', c),
      transferred: (c, transfer) => step('call.transferred', c, { transfer: { ...transfer } }),
      held: (c, by: CallSide) => step('call.held', c, { by, party: partyOf(c, by).id }),
      resumed: (c, by: CallSide) => step('call.resumed', c, { by, party: partyOf(c, by).id }),
    };
  }

  /** Newest first; `active` keeps the calls not ended (on this node's database, all nodes' calls). */
  async list(opts: { active?: boolean; limit?: number } = {}): Promise<CallInfo[]> {
    const qb = this.store.ds.getRepository(CallRow).createQueryBuilder('c').orderBy('c.started_at', 'DESC').limit(opts.limit ?? 100);
    if (opts.active) qb.where('c.ended_at IS NULL');
    const rows = await qb.getMany();
    if (rows.length === 0) return [];
    const legs = await this.store.ds.getRepository(CallLegRow).createQueryBuilder('l').where('l.call_id IN (:...ids)', { ids: rows.map((r) => r.id) }).getMany();
    return rows.map((r) => infoOf(r, legs.filter((l) => l.callId === r.id)));
  }

  async get(id: string): Promise<CallInfo> {
    const row = await this.store.ds.manager.findOne(CallRow, { where: { id } });
    if (!row) throw new NotFound('call', id);
    return infoOf(row, await this.store.ds.manager.find(CallLegRow, { where: { callId: id } }));
  }
}
