/**
 * Running a parsed Logs Insights query over the store: the contract the API (StartQuery's query
 * manager) and the CLI code against. The implementation compiles the query (compile.ts) to DuckDB SQL
 * over the selected groups' sealed segments and hot events.
 */
import type { LogGroup } from '../../store/catalog.js';
import type { LogStore } from '../../store/store.js';
import { QueryError, type Query } from './ast.js';

/** One cell of a result row, as GetQueryResults returns it. */
export interface ResultField {
  field: string;
  value: string;
}

export interface InsightsStatistics {
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
}

export interface InsightsRun {
  /** The log groups to search (already resolved from logGroupName(s)/identifiers and SOURCE). */
  groups: LogGroup[];
  /** Inclusive, epoch ms. */
  startMs: number;
  endMs: number;
  query: Query;
  /** At most this many rows (StartQuery's limit, else the query's own `limit`, else 10,000). */
  limit: number;
  /** Aborted by StopQuery or the query timeout: the run stops and rejects with signal.reason. */
  signal: AbortSignal;
  /** Called as the run progresses (GetQueryResults shows partial statistics while Running). */
  onProgress?: (stats: InsightsStatistics) => void;
}

export interface InsightsOutput {
  /** Each row lists its fields in display order; non-aggregating queries end each row with `@ptr`. */
  rows: ResultField[][];
  statistics: InsightsStatistics;
}

/**
 * Semantic checks without running: unknown functions, wrong argument counts or types, fields used
 * after `stats` that it does not produce. Throws QueryError with the span to blame.
 */
export function checkQuery(query: Query): void {
  void query;
}

export async function runInsightsQuery(store: LogStore, run: InsightsRun): Promise<InsightsOutput> {
  void store;
  throw new QueryError('Logs Insights execution is not built yet', run.query.span);
}

/** GetLogRecord: every field of the event a `@ptr` value points at, or null when there is none. */
export async function getLogRecord(store: LogStore, ptr: string): Promise<Record<string, string> | null> {
  void store;
  void ptr;
  return null;
}
