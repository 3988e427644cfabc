/**
 * Prefix matching with LIKE on both dialects. SQLite has no default escape character for LIKE (a `\`
 * is literal there), and MySQL's default `\` would need doubling inside SQL text; so the escape
 * character is named explicitly and is one that needs no quoting in either: `!`.
 */
export const LIKE_ESCAPE = "ESCAPE '!'";

/** The LIKE pattern matching every string that starts with `prefix` (its `%`, `_` and `!` taken literally). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, '!$&')}%`;
}
