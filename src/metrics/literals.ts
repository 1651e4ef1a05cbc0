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
    this.any ??= new RegExp(alternation([...this.scan]));
    this.none = this.scan.size === 0 || !this.any.test(m);
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
