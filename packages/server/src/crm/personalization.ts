/**
 * Personalization of a call by its caller's number, for the ACD and flows (issue 4): who the caller is,
 * the queue priority their VIP level earns, the agent they prefer, the agent who last talked to them,
 * and their language (a flow branches on it).
 *
 * - The number (any form) is normalized like stored numbers (phone.ts, `crm.defaultRegion`); a text that
 *   is not a valid number is an InvalidInput, so a flow should route withheld or anonymous callers
 *   without asking (`Personalization.defaults`).
 * - Several customers may share a number (a switchboard): the one with the highest VIP level wins, then
 *   the oldest (lowest id): the caller is given the best treatment any holder of the number has.
 * - priority: setting `crm.vipPriority` maps VIP levels 0-5 to the queue priority scale 0-100
 *   (acd/schemas.ts; higher is served first), default 0, 20, 40, 60, 80, 100.
 * - preferredAgent: the customer's preferred extension, only while an agent with it exists (agents may
 *   go; the customer keeps the extension as typed).
 * - lastAgent: the agent of the newest answered call whose from or to is one of the number's forms
 *   (phone.ts#callNumberForms, like the timeline), whether or not a customer holds the number. Call
 *   records do not hold the agent of a trunk call (its `to` is the dialled number), so it comes from the
 *   call's `call.answered` event (calls/records.ts: agentId = the call's first agent, the answering
 *   agent of an inbound trunk call, the calling agent of an outbound one); calls whose event was purged
 *   (`retention.eventDays`) or whose agent no longer exists are skipped.
 *
 * Two statements, run at once, each on indexes: the customer by `customer_phones.number` (with the
 * preferred agent by `agents.extension`), and the newest answered call by `calls.from_ext`/`to_ext`
 * (migration 0013) joined to its events by `events.call_id` and to `agents.extension`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AgentRow, CallRow, CustomerPhoneRow, CustomerRow, EventRow } from '../db/entities/index.js';
import { InvalidInput } from '../errors.js';
import type { Store } from '../events/changes.js';
import { callNumberForms, normalizePhone } from './phone.js';

const OrNull = (description: string) => Type.Union([Type.String(), Type.Null()], { description });
export const Personalized = Type.Object({
  normalized: OrNull('the caller\'s number in E.164 (null only in `defaults(null)`)'),
  customer: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()], { description: 'null: no customer holds the number' }),
  vipLevel: Type.Integer({ minimum: 0, maximum: 5 }),
  priority: Type.Integer({ minimum: 0, maximum: 100, description: 'queue priority of the VIP level (setting crm.vipPriority)' }),
  preferredAgent: OrNull('extension of the customer\'s preferred agent, if that agent exists'),
  lastAgent: OrNull('extension of the agent of the newest answered call with this number'),
  language: OrNull('the customer\'s language, BCP 47'),
});
export type Personalized = Static<typeof Personalized>;

export interface PersonalizationSettings {
  /** crm.defaultRegion */
  defaultRegion: string;
  /** crm.vipPriority: the queue priority of each VIP level (index 0-5). */
  vipPriority: number[];
}

interface CustomerHit {
  id: number;
  name: string;
  vipLevel: number;
  language: string | null;
  preferred: string | null;
}

export class Personalization {
  constructor(
    private readonly store: Store,
    private readonly settings: PersonalizationSettings,
  ) {}

  /** What a caller nobody knows gets (also for withheld and anonymous caller IDs). */
  defaults(normalized: string | null): Personalized {
    return {
      normalized, customer: null, vipLevel: 0, priority: this.settings.vipPriority[0]!, preferredAgent: null, lastAgent: null, language: null,
    };
  }

  async forCaller(phone: string): Promise<Personalized> {
    const r = normalizePhone(phone, this.settings.defaultRegion);
    if (!r.ok) throw new InvalidInput(`phone: ${r.problem}`, [{ path: '/phone', message: r.problem }]);
    const number = r.phone.number;
    const [hit, lastAgent] = await Promise.all([this.customer(number), this.lastAgent(number)]);
    const out = this.defaults(number);
    out.lastAgent = lastAgent;
    if (!hit) return out;
    return {
      ...out, customer: { id: hit.id, name: hit.name }, vipLevel: hit.vipLevel, priority: this.settings.vipPriority[hit.vipLevel] ?? out.priority,
      preferredAgent: hit.preferred, language: hit.language,
    };
  }

  private async customer(number: string): Promise<CustomerHit | null> {
    const row = await this.store.ds.manager.createQueryBuilder(CustomerPhoneRow, 'p')
      .innerJoin(CustomerRow, 'c', 'c.id = p.customerId')
      .leftJoin(AgentRow, 'a', 'a.extension = c.preferredAgent')
      .select(['c.id AS id', 'c.name AS name', 'c.vipLevel AS vipLevel', 'c.language AS language', 'a.extension AS preferred'])
      .where('p.number = :number', { number })
      .orderBy('c.vipLevel', 'DESC').addOrderBy('c.id', 'ASC')
      .limit(1)
      .getRawOne<CustomerHit>();
    return row ? { ...row, id: Number(row.id), vipLevel: Number(row.vipLevel) } : null;
  }

  private async lastAgent(number: string): Promise<string | null> {
    const forms = callNumberForms(number);
    // `+e.type`: the unary plus (a no-op on both dialects) keeps SQLite, which has no statistics, from
    // driving the join from ix_events_type (every answered call of the log) instead of the calls' number
    // indexes (measured: ~127 ms against 0.1 ms with 100,000 calls).
    const row = await this.store.ds.manager.createQueryBuilder(CallRow, 'c')
      .innerJoin(EventRow, 'e', 'e.callId = c.id AND +e.type = :answered', { answered: 'call.answered' })
      .innerJoin(AgentRow, 'a', 'a.extension = e.agentId')
      .select('a.extension', 'extension')
      .where('(c.fromExt IN (:...forms) OR c.toExt IN (:...forms))', { forms })
      .andWhere('c.answeredAt IS NOT NULL')
      .orderBy('c.answeredAt', 'DESC').addOrderBy('e.id', 'DESC')
      .limit(1)
      .getRawOne<{ extension: string }>();
    return row?.extension ?? null;
  }
}
