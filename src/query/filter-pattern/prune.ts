/**
 * What a pattern requires of a block's trigram bitmap: a conjunction of alternatives, each a set of
 * bit positions. A block can be skipped when some conjunct has no alternative whose bits are all set.
 * Returns null when the pattern cannot prune (it may match events containing none of its terms).
 */
import type { FilterPattern } from './ast.js';
import { mayContain, termBits } from '../../store/trigram.js';

export type BitmapRequirement = number[][][];

export function bitmapRequirement(p: FilterPattern): BitmapRequirement | null {
  switch (p.kind) {
    case 'terms': {
      const conj: number[][][] = [];
      for (const t of p.required) {
        const bits = termBits(t);
        if (bits) conj.push([bits]);
      }
      if (p.optional.length > 0) {
        const alts = p.optional.map(termBits);
        if (alts.every((a): a is number[] => a !== null)) conj.push(alts);
      }
      return conj.length === 0 ? null : conj;
    }
    // A JSON value may be written with escapes (`\u0041`), and a regex need not contain any literal
    // text, and a space-delimited field test can match a number written many ways: none of these prunes.
    case 'json':
    case 'regex':
    case 'delimited':
      return null;
  }
}

export function bitmapMayMatch(bitmap: Uint8Array, req: BitmapRequirement): boolean {
  return req.every((alts) => alts.some((bits) => mayContain(bitmap, bits)));
}
