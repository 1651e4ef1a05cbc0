/**
 * The SQL back end: a WHERE clause over a message column. User values travel only as bound
 * parameters, appended to `params`; the column name comes from the store, never from the user.
 */
import type { FilterPattern } from './ast.js';

export function toSql(p: FilterPattern, column: string, params: unknown[]): string {
  switch (p.kind) {
    case 'terms': {
      const bind = (t: string): string => {
        params.push(t);
        return `contains(${column}, $${params.length})`;
      };
      const parts: string[] = [];
      for (const t of p.required) parts.push(bind(t));
      for (const t of p.excluded) parts.push(`NOT ${bind(t)}`);
      if (p.optional.length > 0) parts.push(`(${p.optional.map(bind).join(' OR ')})`);
      return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
    }
  }
}
