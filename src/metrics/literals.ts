/**
 * Which literal texts an event contains, for the requirements of a log group's terms, regex and
 * space-delimited patterns (the text every match must contain: query/filter-pattern/prune.ts, a
 * necessary condition of a match, property-tested there). One regex over, for each requirement, texts
 * of which every match contains one answers "none" for most events in one native scan; otherwise each
 * literal a requirement asks about is looked up once per event with `includes`. Both are case-sensitive substring tests of UTF-16 code
 * units, as the patterns' terms are.
 */
import type { BitmapRequirement } from '../query/filter-pattern/prune.js';

/** Whether the current event may match (see Literals.requirement). */
export type Requirement = () => boolean;

export class Literals {
  private readonly texts: string[] = [];
  /** Texts of which every requirement needs one: when an event has none of them, every requirement fails. */
  private readonly scan = new Set<string>();
  private readonly index = new Map<string, number>();
  private any: RegExp | undefined;
  /** With few texts, what the scan looks for instead of the regex (see probes()). */
  private probes: string[] | undefined;
  /** Per literal: `epoch` once looked up for the current event, and the answer. */
  private readonly seen: number[] = [];
  private readonly present: boolean[] = [];
  private epoch = 0;
  private message = '';
  private none = false;

  /**
   * The requirement as a test of the current event (set by `next`); null when it requires nothing. A
   * leaf without text (a flag bit) requires nothing: dropped from a conjunction, it makes a disjunction
   * require nothing.
   */
  requirement(req: BitmapRequirement | null): Requirement | null {
    const test = this.compile(req);
    if (test !== null) {
      for (const t of necessary(req!)!) this.scan.add(t);
      this.any = undefined;
      this.probes = undefined;
    }
    return test;
  }

  private compile(req: BitmapRequirement | null): Requirement | null {
    if (req === null) return null;
    if (req.kind === 'bits') {
      if (req.text === undefined) return null;
      const i = this.add(req.text);
      return () => this.has(i);
    }
    const of = req.of.map((r) => this.compile(r));
    if (req.kind === 'all') {
      const known = of.filter((r): r is Requirement => r !== null);
      if (known.length === 0) return null;
      return () => {
        for (let i = 0; i < known.length; i++) if (!known[i]!()) return false;
        return true;
      };
    }
    if (of.some((r) => r === null)) return null;
    const alternatives = of as Requirement[];
    return () => {
      for (let i = 0; i < alternatives.length; i++) if (alternatives[i]!()) return true;
      return false;
    };
  }

  /** Makes `m` the current event; false when it has none of the texts (every requirement fails). */
  next(m: string): boolean {
    this.epoch = this.epoch === 0x7fffffff ? 1 : this.epoch + 1;
    if (this.epoch === 1) this.seen.fill(0);
    this.message = m;
    if (this.scan.size <= MAX_PROBES) {
      const ps = (this.probes ??= probes([...this.scan]));
      let found = false;
      for (let i = 0; i < ps.length && !found; i++) found = m.includes(ps[i]!);
      this.none = !found;
    } else {
      this.any ??= new RegExp(alternation([...this.scan]));
      this.none = this.scan.size === 0 || !this.any.test(m);
    }
    return !this.none;
  }

  private add(text: string): number {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.texts.length;
      this.texts.push(text);
      this.index.set(text, i);
      this.seen.push(0);
      this.present.push(false);
    }
    return i;
  }

  private has(i: number): boolean {
    if (this.none) return false;
    if (this.seen[i] !== this.epoch) {
      this.seen[i] = this.epoch;
      this.present[i] = this.message.includes(this.texts[i]!);
    }
    return this.present[i]!;
  }
}

/**
 * Up to this many texts, the scan looks for each one's probe with `includes` instead of one regex over
 * all of them. A substring search costs about what its first character's frequency makes it: on the
 * bench's CloudTrail records `refused` 0.63 µs a record, `fused` 0.13, `ERROR` 0.06; the bench's seven
 * texts 0.95 µs a record in the regex, 0.69 as probes (0.39 against 0.30 µs an event over its whole mix;
 * micro-benchmark, best of 15). The regex scales better with many texts (each search is a pass).
 */
const MAX_PROBES = 8;

/**
 * What to search for so that an event without any of `texts` is told in few fast passes: a text that
 * contains another is left out (the other is in it), and each is cut to its suffix from its rarest
 * character on (by the frequencies of English text and JSON punctuation; an uppercase or other character
 * counts as rarer than any lowercase letter), at least three characters long. Contract: a string that
 * contains one of `texts` contains one of the probes (literals.test.ts).
 */
export function probes(texts: readonly string[]): string[] {
  const kept = texts.filter((t, i) => !texts.some((u, j) => j !== i && t.includes(u) && (u !== t || j < i)));
  const out = new Set<string>();
  for (const t of kept) {
    let best = 0;
    for (let i = 1; i <= t.length - 3; i++) if (commonness(t.charCodeAt(i)) < commonness(t.charCodeAt(best))) best = i;
    out.add(t.slice(best));
  }
  return [...out];
}

const LETTERS = 'zqxjkvbpygfwmucldrhsnioate';

/** How common a character is in log text (higher: more common). */
function commonness(c: number): number {
  if (c >= 0x61 && c <= 0x7a) return 10 + LETTERS.indexOf(String.fromCharCode(c));
  if (c === 0x20 || c === 0x22 || c === 0x3a || c === 0x2c || c === 0x2e || c === 0x2f || c === 0x2d || c === 0x5f || c === 0x7b || c === 0x7d || (c >= 0x30 && c <= 0x39)) return 40;
  if (c >= 0x41 && c <= 0x5a) return 5;
  return 1;
}

/**
 * Texts of which a match of `req` contains at least one (null: none known): a conjunction needs what
 * any one of its parts needs (the part with the longest shortest text, the rarest in a scan), a
 * disjunction what each alternative needs.
 */
function necessary(req: BitmapRequirement): string[] | null {
  if (req.kind === 'bits') return req.text === undefined ? null : [req.text];
  const of = req.of.map(necessary);
  if (req.kind === 'any') return of.some((x) => x === null) ? null : (of as string[][]).flat();
  const known = of.filter((x): x is string[] => x !== null);
  if (known.length === 0) return null;
  const shortest = (xs: string[]): number => Math.min(...xs.map((x) => x.length));
  return known.reduce((a, b) => (shortest(b) > shortest(a) ? b : a));
}

/**
 * A regular expression source matching any of `texts`, with common prefixes written once
 * (`10\.0\.(?:3\.|7\.|1(?:1\.|5\.))` for 10.0.3., 10.0.7., 10.0.11., 10.0.15.): the regex engine then
 * tests each prefix once at a position instead of once per text sharing it. A text that another text
 * starts with stands for both (the test only asks whether one is present).
 */
export function alternation(texts: readonly string[]): string {
  if (texts.includes('')) return '';
  const byFirst = new Map<string, string[]>();
  for (const t of texts) {
    const c = String.fromCodePoint(t.codePointAt(0)!);
    const rest = byFirst.get(c);
    if (rest === undefined) byFirst.set(c, [t.slice(c.length)]);
    else rest.push(t.slice(c.length));
  }
  return [...byFirst]
    .map(([c, rest]) => {
      const tail = rest.length === 1 ? escape(rest[0]!) : alternation(rest);
      return escape(c) + (tail === '' || rest.length === 1 ? tail : `(?:${tail})`);
    })
    .join('|');
}

function escape(t: string): string {
  return t.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
