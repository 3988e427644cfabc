/**
 * The TUI keymap: one table per app. Each binding names its key, what it does, and whether it is
 * dangerous (changes something: it needs `--write` and a confirmation). The help overlay is
 * generated from the same table, so help can never drift from behaviour.
 */
export interface Binding<A extends string = string> {
  key: string;
  action: A;
  description: string;
  /** Changes state (barge, hang up, pause an agent...): refused unless the app runs with --write. */
  dangerous?: boolean;
  group?: string;
}

export type Keymap<A extends string = string> = ReadonlyArray<Binding<A>>;

export interface KeyResolution<A extends string> {
  binding?: Binding<A>;
  /** Set when the key maps to a dangerous action but the app is read-only. */
  refused?: string;
}

/** Which binding a key press selects, honouring read-only mode. */
export function resolveKey<A extends string>(keymap: Keymap<A>, key: string, writable: boolean): KeyResolution<A> {
  const binding = keymap.find((b) => b.key === key);
  if (!binding) return {};
  if (binding.dangerous && !writable) return { refused: `${binding.description}: read-only (start with --write)` };
  return { binding };
}

/** Two clashing bindings are a programming error: find them in tests, not at a user's keyboard. */
export function duplicateKeys(keymap: Keymap): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const b of keymap) (seen.has(b.key) ? dup : seen).add(b.key);
  return [...dup];
}

/** The help overlay's lines, grouped, with dangerous actions marked `!` (and hidden when read-only). */
export function helpLines(keymap: Keymap, writable: boolean): string[] {
  const groups = new Map<string, Binding[]>();
  for (const b of keymap) {
    if (b.dangerous && !writable) continue;
    const g = b.group ?? 'General';
    groups.set(g, [...(groups.get(g) ?? []), b]);
  }
  const width = Math.max(0, ...keymap.map((b) => b.key.length));
  const out: string[] = [];
  for (const [group, bindings] of groups) {
    if (out.length) out.push('');
    out.push(group);
    for (const b of bindings) out.push(`  ${b.key.padEnd(width)}  ${b.dangerous ? '!' : ' '} ${b.description}`);
  }
  if (!writable && keymap.some((b) => b.dangerous)) out.push('', 'Read-only: start with --write for actions that change things.');
  return out;
}
