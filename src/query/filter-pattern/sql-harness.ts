/**
 * Test support: runs the SQL back end over messages in an in-memory DuckDB, so tests can compare it
 * with the predicate. Used only by tests.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { FilterPattern } from './ast.js';
import { toSql } from './sql.js';
import { bitmapRequirement, requirementSql } from './prune.js';

export class SqlHarness {
  private constructor(private readonly conn: DuckDBConnection) {}

  static async open(): Promise<SqlHarness> {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run('CREATE TABLE events (id INTEGER, message VARCHAR)');
    return new SqlHarness(conn);
  }

  /**
   * Which of `messages` the pattern's SQL selects, as a boolean per message; with `guard`, behind the
   * text test of its requirement, as FilterLogEvents runs it (store/query.ts).
   */
  async matches(p: FilterPattern, messages: string[], opts: { guard?: boolean } = {}): Promise<boolean[]> {
    await this.conn.run('DELETE FROM events');
    const app = await this.conn.createAppender('events');
    messages.forEach((m, i) => {
      app.appendInteger(i);
      app.appendVarchar(m);
      app.endRow();
    });
    app.closeSync();
    const params: unknown[] = [];
    const req = opts.guard === true ? bitmapRequirement(p) : null;
    const guard = req === null ? null : requirementSql(req, 'message', (v) => `$${params.push(v)}`);
    const where = guard === null ? toSql(p, 'message', params) : `${guard} AND ${toSql(p, 'message', params)}`;
    const r = await this.conn.runAndReadAll(`SELECT id FROM events WHERE ${where}`, params as string[]);
    const hit = new Set(r.getRowObjectsJS().map((row) => row.id as number));
    return messages.map((_, i) => hit.has(i));
  }

  close(): void {
    this.conn.closeSync();
  }
}
