/**
 * Business calendars and SLA policies as stored objects (create, list, show, delete; audited as
 * calendar.created|updated|deleted and sla_policy.created|updated|deleted; updates come from center files).
 * A calendar is weekly hours in an IANA time
 * zone minus holidays (business-time.ts computes with it); SLA policies count their targets on one.
 * The flows will use the same calendars for opening hours. A calendar used by a policy cannot be
 * deleted (409 naming the policies); deleting a policy leaves the clocks it started on tickets.
 */
import type { EntityManager } from 'typeorm';
import { CalendarRow, SlaPolicyRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import { calendarProblems, type BusinessCalendar } from './business-time.js';
import type { Calendar, CalendarInput, SlaPolicy, SlaPolicyInput } from './schemas.js';

export function calendarDto(r: CalendarRow): Calendar {
  return { id: r.id, name: r.name, timeZone: r.timeZone, hours: r.hours, holidays: r.holidays, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() };
}

export function businessCalendar(r: CalendarRow): BusinessCalendar {
  return { timeZone: r.timeZone, hours: r.hours, holidays: r.holidays };
}

export class Calendars {
  constructor(private readonly store: Store) {}

  async list(em: EntityManager = this.store.ds.manager): Promise<Calendar[]> {
    return (await em.find(CalendarRow, { order: { name: 'ASC' } })).map(calendarDto);
  }

  async row(name: string, em: EntityManager = this.store.ds.manager): Promise<CalendarRow> {
    const r = await em.findOne(CalendarRow, { where: { name } });
    if (!r) throw new NotFound('calendar', name);
    return r;
  }

  async get(name: string): Promise<Calendar> {
    return calendarDto(await this.row(name));
  }

  async create(tx: WriteContext, actor: Actor, input: CalendarInput): Promise<Calendar> {
    const holidays = [...new Set(input.holidays ?? [])].sort();
    const problems = calendarProblems({ timeZone: input.timeZone, hours: input.hours, holidays });
    if (problems.length) throw new InvalidInput(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
    if (await tx.em.findOne(CalendarRow, { where: { name: input.name }, select: { id: true } })) throw new Conflict(`calendar ${JSON.stringify(input.name)} already exists`);
    const now = new Date();
    const row = tx.em.create(CalendarRow, { name: input.name, timeZone: input.timeZone, hours: input.hours, holidays, createdAt: now, updatedAt: now });
    await tx.em.save(CalendarRow, row);
    const after = calendarDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'calendar.created', subjectType: 'calendar', subjectId: row.name, after });
    return after;
  }

  /** Change hours, time zone or holidays (center files); running SLA clocks keep their due times. */
  async update(tx: WriteContext, actor: Actor, name: string, patch: Partial<Omit<CalendarInput, 'name'>>): Promise<Calendar> {
    const row = await this.row(name, tx.em);
    const before = calendarDto(row);
    const next = { timeZone: patch.timeZone ?? row.timeZone, hours: patch.hours ?? row.hours, holidays: patch.holidays ? [...new Set(patch.holidays)].sort() : row.holidays };
    const problems = calendarProblems(next);
    if (problems.length) throw new InvalidInput(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
    Object.assign(row, next, { updatedAt: new Date() });
    await tx.em.save(CalendarRow, row);
    const after = calendarDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'calendar.updated', subjectType: 'calendar', subjectId: name, before, after });
    return after;
  }

  async delete(tx: WriteContext, actor: Actor, name: string): Promise<void> {
    const row = await this.row(name, tx.em);
    const users = await tx.em.find(SlaPolicyRow, { where: { calendarId: row.id }, order: { name: 'ASC' } });
    if (users.length) throw new Conflict(`calendar ${JSON.stringify(name)} is used by SLA policies: ${users.map((p) => p.name).join(', ')}`);
    await tx.em.delete(CalendarRow, { id: row.id });
    await recordChange(this.store.events, tx, actor, { type: 'calendar.deleted', subjectType: 'calendar', subjectId: name, before: calendarDto(row) });
  }
}

export class SlaPolicies {
  constructor(private readonly store: Store) {}

  private async dtos(rows: SlaPolicyRow[], em: EntityManager): Promise<SlaPolicy[]> {
    const cals = new Map((await em.find(CalendarRow)).map((c) => [c.id, c.name]));
    return rows.map((r) => ({
      id: r.id, name: r.name, calendar: cals.get(r.calendarId) ?? '', firstResponseMinutes: r.firstResponseMinutes, nextResponseMinutes: r.nextResponseMinutes,
      resolutionMinutes: r.resolutionMinutes, priorities: r.priorities as SlaPolicy['priorities'], createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
    }));
  }

  async list(em: EntityManager = this.store.ds.manager): Promise<SlaPolicy[]> {
    return this.dtos(await em.find(SlaPolicyRow, { order: { id: 'ASC' } }), em);
  }

  async row(name: string, em: EntityManager = this.store.ds.manager): Promise<SlaPolicyRow> {
    const row = await em.findOne(SlaPolicyRow, { where: { name } });
    if (!row) throw new NotFound('SLA policy', name);
    return row;
  }

  async get(name: string): Promise<SlaPolicy> {
    return (await this.dtos([await this.row(name)], this.store.ds.manager))[0]!;
  }

  /** The policy for a new ticket of this priority: the oldest policy listing it, or null. */
  async forPriority(em: EntityManager, priority: string): Promise<SlaPolicyRow | null> {
    return (await em.find(SlaPolicyRow, { order: { id: 'ASC' } })).find((p) => p.priorities.includes(priority)) ?? null;
  }

  async create(tx: WriteContext, actor: Actor, input: SlaPolicyInput): Promise<SlaPolicy> {
    if (await tx.em.findOne(SlaPolicyRow, { where: { name: input.name }, select: { id: true } })) throw new Conflict(`SLA policy ${JSON.stringify(input.name)} already exists`);
    const cal = await tx.em.findOne(CalendarRow, { where: { name: input.calendar } });
    if (!cal) throw new InvalidInput(`/calendar: calendar ${JSON.stringify(input.calendar)} does not exist`, [{ path: '/calendar', message: `calendar ${JSON.stringify(input.calendar)} does not exist` }]);
    const now = new Date();
    const row = tx.em.create(SlaPolicyRow, {
      name: input.name, calendarId: cal.id, firstResponseMinutes: input.firstResponseMinutes, nextResponseMinutes: input.nextResponseMinutes ?? null,
      resolutionMinutes: input.resolutionMinutes, priorities: [...new Set(input.priorities)], createdAt: now, updatedAt: now,
    });
    await tx.em.save(SlaPolicyRow, row);
    const after = (await this.dtos([row], tx.em))[0]!;
    await recordChange(this.store.events, tx, actor, { type: 'sla_policy.created', subjectType: 'sla_policy', subjectId: row.name, after });
    return after;
  }

  /** Change a policy (center files); clocks already started on tickets keep their due times. */
  async update(tx: WriteContext, actor: Actor, name: string, patch: Partial<Omit<SlaPolicyInput, 'name'>>): Promise<SlaPolicy> {
    const row = await this.row(name, tx.em);
    const before = (await this.dtos([row], tx.em))[0]!;
    if (patch.calendar !== undefined) {
      const cal = await tx.em.findOne(CalendarRow, { where: { name: patch.calendar } });
      if (!cal) throw new InvalidInput(`/calendar: calendar ${JSON.stringify(patch.calendar)} does not exist`, [{ path: '/calendar', message: `calendar ${JSON.stringify(patch.calendar)} does not exist` }]);
      row.calendarId = cal.id;
    }
    if (patch.firstResponseMinutes !== undefined) row.firstResponseMinutes = patch.firstResponseMinutes;
    if (patch.nextResponseMinutes !== undefined) row.nextResponseMinutes = patch.nextResponseMinutes;
    if (patch.resolutionMinutes !== undefined) row.resolutionMinutes = patch.resolutionMinutes;
    if (patch.priorities !== undefined) row.priorities = [...new Set(patch.priorities)];
    row.updatedAt = new Date();
    await tx.em.save(SlaPolicyRow, row);
    const after = (await this.dtos([row], tx.em))[0]!;
    await recordChange(this.store.events, tx, actor, { type: 'sla_policy.updated', subjectType: 'sla_policy', subjectId: name, before, after });
    return after;
  }

  async delete(tx: WriteContext, actor: Actor, name: string): Promise<void> {
    const row = await this.row(name, tx.em);
    const before = (await this.dtos([row], tx.em))[0]!;
    await tx.em.delete(SlaPolicyRow, { id: row.id });
    await recordChange(this.store.events, tx, actor, { type: 'sla_policy.deleted', subjectType: 'sla_policy', subjectId: name, before });
  }
}
