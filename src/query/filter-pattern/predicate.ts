/** The in-memory back end: decides one message at a time (ingest path, hot data). */
import type { FilterPattern } from './ast.js';

export type Predicate = (message: string) => boolean;

export function compilePredicate(p: FilterPattern): Predicate {
  switch (p.kind) {
    case 'terms': {
      const { required, optional, excluded } = p;
      if (required.length === 0 && optional.length === 0 && excluded.length === 0) return () => true;
      return (m) => {
        for (const t of required) if (!m.includes(t)) return false;
        for (const t of excluded) if (m.includes(t)) return false;
        if (optional.length === 0) return true;
        for (const t of optional) if (m.includes(t)) return true;
        return false;
      };
    }
  }
}
