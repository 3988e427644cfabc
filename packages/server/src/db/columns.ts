import type { ValueTransformer } from 'typeorm';

/** JSON stored as TEXT, portable across SQLite and MySQL. */
export const jsonText: ValueTransformer = {
  to: (v: unknown) => (v === undefined ? undefined : v === null ? null : JSON.stringify(v)),
  from: (v: string | null) => (v === null || v === undefined ? null : JSON.parse(v)),
};

/** Booleans as 0/1 integers on both dialects. */
export const boolInt: ValueTransformer = {
  to: (v: boolean | undefined) => (v === undefined ? undefined : v ? 1 : 0),
  from: (v: number | boolean | null) => Boolean(v),
};
