/**
 * Search text for Chinese and English, the same on SQLite and MariaDB (no engine tokenizer involved):
 * - Latin and other alphabetic scripts: words of letters and digits, NFKD-folded, lower-cased, accents
 *   dropped (`Résumé` -> `resume`), at most 40 characters. No stemming, no stop words.
 * - CJK (Han, Kana, Hangul): every run is indexed as overlapping bigrams plus unigrams (`退款流程` ->
 *   退款 款流 流程 + 退 款 流 程). A query run of two or more characters becomes its bigrams, a
 *   one-character run its unigram, so `退款` finds `退款流程` and `退` finds both.
 * Why not the engines' own full-text: MariaDB 10.11 has no ngram parser and ignores tokens shorter than
 * innodb_ft_min_token_size (3), so two-character Chinese words were unsearchable; an inverted index of
 * these terms (kb_terms) works and ranks identically on both dialects.
 * Highlighting works on the original text (never on terms): matches are wrapped in « and ».
 */

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const SEGMENT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}]+/gu;
export const MAX_TERM = 40;

function fold(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().slice(0, MAX_TERM);
}

interface Segment {
  cjk: boolean;
  text: string;
}

function segments(text: string): Segment[] {
  const out: Segment[] = [];
  for (const m of text.matchAll(SEGMENT)) {
    const cjk = CJK.test(m[0][0]!);
    // A Latin run may contain CJK-adjacent letters only through the alternation order; split cleanly.
    out.push({ cjk, text: cjk ? m[0] : fold(m[0]) });
  }
  return out.filter((s) => s.text !== '');
}

/** Terms of a document field with their counts (bigrams and unigrams for CJK). */
export function documentTerms(text: string): Map<string, number> {
  const tf = new Map<string, number>();
  const add = (t: string) => tf.set(t, (tf.get(t) ?? 0) + 1);
  for (const s of segments(text)) {
    if (!s.cjk) {
      add(s.text);
      continue;
    }
    const chars = [...s.text];
    for (let i = 0; i < chars.length; i++) {
      add(chars[i]!);
      if (i + 1 < chars.length) add(chars[i]! + chars[i + 1]!);
    }
  }
  return tf;
}

/** Number of terms in a field (for length normalization). */
export function termCount(tf: Map<string, number>): number {
  let n = 0;
  for (const v of tf.values()) n += v;
  return n;
}

/** The distinct terms a query must all match (AND). */
export function queryTerms(query: string): string[] {
  const out = new Set<string>();
  for (const s of segments(query)) {
    if (!s.cjk) {
      out.add(s.text);
      continue;
    }
    const chars = [...s.text];
    if (chars.length === 1) out.add(chars[0]!);
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  }
  return [...out];
}

/** Strings to find in the original text: query words (case-insensitive) and CJK runs as bigrams/unigrams. */
function needles(query: string): string[] {
  const out = new Set<string>();
  for (const m of query.matchAll(SEGMENT)) {
    if (!CJK.test(m[0][0]!)) {
      out.add(m[0].toLowerCase());
      continue;
    }
    const chars = [...m[0]];
    if (chars.length === 1) out.add(chars[0]!);
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  }
  return [...out];
}

/** Ranges [start, end) of matches in `text`, merged when they touch or overlap. */
function matchRanges(text: string, query: string): Array<[number, number]> {
  const lower = text.toLowerCase();
  const ranges: Array<[number, number]> = [];
  for (const n of needles(query)) {
    if (!n) continue;
    const latin = !CJK.test(n[0]!);
    for (let i = lower.indexOf(n); i >= 0; i = lower.indexOf(n, i + 1)) {
      // Latin needles match at word starts only (`fund` does not light up inside `refund`).
      if (latin && i > 0 && /[\p{L}\p{N}]/u.test(lower[i - 1]!)) continue;
      ranges.push([i, i + n.length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

export const MARK_OPEN = '«';
export const MARK_CLOSE = '»';

function wrap(text: string, ranges: Array<[number, number]>, from: number, to: number): string {
  let out = '';
  let at = from;
  for (const [s, e] of ranges) {
    if (e <= from || s >= to) continue;
    const a = Math.max(s, from);
    const b = Math.min(e, to);
    out += text.slice(at, a) + MARK_OPEN + text.slice(a, b) + MARK_CLOSE;
    at = b;
  }
  return out + text.slice(at, to);
}

/** The whole text with every match marked. */
export function highlight(text: string, query: string): string {
  return wrap(text, matchRanges(text, query), 0, text.length);
}

/** About `width` characters around the first match, marked; the text's start when nothing matches. */
export function snippet(text: string, query: string, width = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const ranges = matchRanges(flat, query);
  const first = ranges[0]?.[0] ?? 0;
  const from = Math.max(0, first - Math.floor(width / 3));
  const to = Math.min(flat.length, from + width);
  return (from > 0 ? '…' : '') + wrap(flat, ranges, from, to) + (to < flat.length ? '…' : '');
}
