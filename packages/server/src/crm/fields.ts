/**
 * Custom fields: admins define them (name, type string|number|boolean|date|enum, required, enum
 * values), and every customer's `custom` values are checked against those definitions: unknown names,
 * wrong types, enum values not in the list and missing required fields are rejected with the field's
 * path. Dates are calendar dates `YYYY-MM-DD`. Required fields are enforced on create (and a required
 * value cannot be removed later); customers created before a field became required keep working.
 * Deleting a definition removes its values from every customer, in the same transaction.
 */
import type { EntityManager } from 'typeorm';
import { CustomerFieldRow, CustomerRow } from '../db/entities/index.js';
import { LIKE_ESCAPE } from '../db/like.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, InvalidInput, NotFound, type ErrorDetail } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import type { CustomField, CustomFieldInput } from './schemas.js';

export type FieldDefs = Map<string, CustomerFieldRow>;

function toDto(r: CustomerFieldRow): CustomField {
  return {
    name: r.name, type: r.type as CustomField['type'], required: r.required, enumValues: r.enumValues,
    description: r.description, createdAt: r.createdAt.toISOString(),
  };
}

const TRUE = new Set(['true', 'yes', '1']);
const FALSE = new Set(['false', 'no', '0']);

function isDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/**
 * One value checked (and, from text such as a CSV cell, converted) against its definition: the value
 * to store, or a problem message.
 */
export function checkValue(def: CustomerFieldRow, value: unknown, fromText: boolean): { value: unknown } | { problem: string } {
  const text = typeof value === 'string' ? value.trim() : undefined;
  switch (def.type) {
    case 'string':
      if (typeof value !== 'string') return { problem: 'must be a string' };
      return value.length > 1000 ? { problem: 'must be at most 1000 characters' } : { value };
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return { value };
      if (fromText && text !== undefined && /^-?\d+(\.\d+)?$/.test(text)) return { value: Number(text) };
      return { problem: 'must be a number' };
    case 'boolean':
      if (typeof value === 'boolean') return { value };
      if (fromText && text !== undefined && TRUE.has(text.toLowerCase())) return { value: true };
      if (fromText && text !== undefined && FALSE.has(text.toLowerCase())) return { value: false };
      return { problem: fromText ? 'must be true or false (also yes/no, 1/0)' : 'must be a boolean' };
    case 'date':
      return text !== undefined && isDate(text) ? { value: text } : { problem: 'must be a date YYYY-MM-DD' };
    case 'enum':
      return text !== undefined && def.enumValues?.includes(text) ? { value: text } : { problem: `must be one of ${(def.enumValues ?? []).join(', ')}` };
    default:
      return { problem: `has an unknown type ${def.type}` };
  }
}

/**
 * Merge `input` into `current` (null removes a value), checking each given value. `fromText` accepts
 * text for numbers and booleans and skips empty text (CSV cells). Problems carry `/custom/<name>`.
 */
export function applyCustom(
  defs: FieldDefs, current: Record<string, unknown>, input: Record<string, unknown>, fromText: boolean, problems: ErrorDetail[],
): Record<string, unknown> {
  const out = { ...current };
  for (const [name, value] of Object.entries(input)) {
    const path = `/custom/${name}`;
    const def = defs.get(name);
    if (!def) {
      problems.push({ path, message: `there is no custom field ${JSON.stringify(name)} (see \`hotline customers fields list\`)` });
      continue;
    }
    if (fromText && typeof value === 'string' && value.trim() === '') continue;
    if (value === null || value === undefined) {
      if (def.required) problems.push({ path, message: 'is required and cannot be removed' });
      else delete out[name];
      continue;
    }
    const r = checkValue(def, value, fromText);
    if ('problem' in r) problems.push({ path, message: r.problem });
    else out[name] = r.value;
  }
  return out;
}

/** Required fields missing from `values` (checked on create). */
export function missingRequired(defs: FieldDefs, values: Record<string, unknown>, problems: ErrorDetail[]): void {
  for (const def of defs.values()) {
    if (def.required && (values[def.name] === undefined || values[def.name] === null)) {
      problems.push({ path: `/custom/${def.name}`, message: 'is required' });
    }
  }
}

export class CustomFields {
  constructor(private readonly store: Store) {}

  async defs(em: EntityManager = this.store.ds.manager): Promise<FieldDefs> {
    return new Map((await em.find(CustomerFieldRow)).map((r) => [r.name, r]));
  }

  async list(em: EntityManager = this.store.ds.manager): Promise<CustomField[]> {
    return (await em.find(CustomerFieldRow, { order: { name: 'ASC' } })).map(toDto);
  }

  async create(tx: WriteContext, actor: Actor, input: CustomFieldInput): Promise<CustomField> {
    if (await tx.em.findOne(CustomerFieldRow, { where: { name: input.name } })) {
      throw new Conflict(`a custom field named ${JSON.stringify(input.name)} already exists`, [{ path: '/name', message: 'already in use' }]);
    }
    if (input.type === 'enum' && !input.enumValues) throw new InvalidInput('an enum field needs enumValues', [{ path: '/enumValues', message: 'required for type enum' }]);
    if (input.type !== 'enum' && input.enumValues) throw new InvalidInput('only enum fields take enumValues', [{ path: '/enumValues', message: `not allowed for type ${input.type}` }]);
    const row = tx.em.create(CustomerFieldRow, {
      name: input.name, type: input.type, required: input.required ?? false,
      enumValues: input.enumValues ? [...new Set(input.enumValues)] : null, description: input.description ?? '', createdAt: new Date(),
    });
    await tx.em.save(CustomerFieldRow, row);
    const after = toDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'customer_field.created', subjectType: 'customer_field', subjectId: row.name, after });
    return after;
  }

  /**
   * Change whether a field is required, its enum values or description (center files). The type never
   * changes, and stored values are not rechecked (like a field that becomes required).
   */
  async update(tx: WriteContext, actor: Actor, name: string, patch: Partial<Pick<CustomFieldInput, 'required' | 'enumValues' | 'description'>>): Promise<CustomField> {
    const row = await tx.em.findOne(CustomerFieldRow, { where: { name } });
    if (!row) throw new NotFound('custom field', name);
    if (patch.enumValues && row.type !== 'enum') throw new InvalidInput('only enum fields take enumValues', [{ path: '/enumValues', message: `not allowed for type ${row.type}` }]);
    const before = toDto(row);
    if (patch.required !== undefined) row.required = patch.required;
    if (patch.enumValues !== undefined) row.enumValues = [...new Set(patch.enumValues)];
    if (patch.description !== undefined) row.description = patch.description;
    await tx.em.save(CustomerFieldRow, row);
    const after = toDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'customer_field.updated', subjectType: 'customer_field', subjectId: name, before, after });
    return after;
  }

  /** Delete a definition and remove its values from every customer (their updatedAt is left alone). */
  async delete(tx: WriteContext, actor: Actor, name: string): Promise<void> {
    const row = await tx.em.findOne(CustomerFieldRow, { where: { name } });
    if (!row) throw new NotFound('custom field', name);
    await tx.em.delete(CustomerFieldRow, { id: row.id });
    const key = JSON.stringify(name).replace(/[!%_]/g, '!$&');
    const holders = await tx.em.createQueryBuilder(CustomerRow, 'c').select(['c.id', 'c.custom'])
      .where(`c.custom LIKE :p ${LIKE_ESCAPE}`, { p: `%${key}:%` }).getMany();
    let cleared = 0;
    for (const c of holders) {
      if (!(name in c.custom)) continue;
      const { [name]: _gone, ...rest } = c.custom;
      await tx.em.update(CustomerRow, { id: c.id }, { custom: rest as never });
      cleared++;
    }
    await recordChange(this.store.events, tx, actor, {
      type: 'customer_field.deleted', subjectType: 'customer_field', subjectId: name, before: toDto(row), after: { valuesRemovedFrom: cleared },
    });
  }
}
