/**
 * `logward query <group...> '<query>'`: runs a Logs Insights query (StartQuery), polls GetQueryResults
 * with its progress on stderr, and prints the rows as a table or JSON. Ctrl-C stops the query (StopQuery).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Command } from 'commander';
import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
  type QueryStatistics,
  type ResultField,
  type StartQueryCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { addClientOptions, withLogsClient, type ClientOptions } from '../client.js';
import { UsageError, type TextOut } from '../context.js';
import { parseTimeArg } from '../duration.js';
import { formatBytes, renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';

interface QueryOptions extends ClientOptions {
  since: string;
  start?: string;
  end?: string;
  limit?: string;
  json?: boolean;
}

/** Polls start this often and slow down to MAX_POLL_MS, so a long query costs few requests. */
export const FIRST_POLL_MS = 250;
export const MAX_POLL_MS = 2_000;

export const queryCommand: CommandSpec = {
  build: (ctx) => {
    const command = addClientOptions(new Command('query'))
      .summary('run a Logs Insights query')
      .description(
        'Run a Logs Insights query over log groups and print its results. The last argument is the query; the ones before it are ' +
          'the log groups (none when the query selects them with SOURCE).',
      )
      .argument('<group-and-query...>', 'log group names, then the query')
      .option('--since <time>', 'from this long ago (30s, 10m, 1h, 2d) or this ISO 8601 time', '1h')
      .option('--start <time>', 'from this time: ISO 8601, or epoch seconds or milliseconds (instead of --since)')
      .option('--end <time>', 'up to this time: ISO 8601, epoch seconds or milliseconds, or a duration back from now (default: now)')
      .option('--limit <n>', 'at most this many rows (StartQuery limit, 1 to 100000)')
      .option('--json', 'print a JSON array of rows, each an object of field: value (@ptr included)')
      .addHelpText(
        'after',
        `
Progress (status, records scanned and matched) is shown on stderr when it is a terminal. Ctrl-C stops
the query on the server. A query that ends Failed, Cancelled or Timeout exits 1.

Examples:
  logward query my-app 'fields @timestamp, @message | sort @timestamp desc | limit 20' --since 1h
  logward query my-app other-app 'stats count(*) by @logStream' --start 2024-05-01 --end 2024-05-02
  logward query 'SOURCE logGroups(namePrefix: ["/aws/lambda"]) | filter @message like /ERROR/' --json`,
      );
    return command.action(async (args: string[], opts: QueryOptions) => {
      const queryString = args.at(-1)!;
      const groups = args.slice(0, -1);
      const now = ctx.clock.now();
      if (opts.start !== undefined && command.getOptionValueSource('since') === 'cli') {
        throw new UsageError('--since and --start are alternatives: give one of them');
      }
      const startMs = opts.start !== undefined ? parseTimePoint(opts.start, now) : parseTimeArg(opts.since, now);
      const endMs = opts.end === undefined ? now : parseTimePoint(opts.end, now);
      if (endMs < startMs) throw new UsageError('--end is before the start of the time range');
      const limit = opts.limit === undefined ? undefined : parseLimit(opts.limit);
      const input: StartQueryCommandInput = {
        ...(groups.length > 0 ? { logGroupNames: groups } : {}),
        startTime: Math.floor(startMs / 1000),
        endTime: Math.floor(endMs / 1000),
        queryString,
        limit,
      };
      const signal = ctx.interruptSignal();
      await withLogsClient(ctx, opts, async (client) => {
        const result = await runQuery(client, input, { signal, stderr: ctx.stderr });
        if (opts.json === true) writeJson(ctx.stdout, result.rows.map(toObject));
        else ctx.stdout.write(renderRows(result.rows, ctx.stdout.isTTY === true ? ctx.stdout.columns : undefined));
      });
    });
  },
};

/** A query that ended otherwise than Complete; its name is what `logward: <name>: ...` shows. */
export class QueryNotCompleteError extends Error {
  override readonly name = 'QueryNotComplete';
}

export interface QueryResult {
  queryId: string;
  rows: ResultField[][];
  statistics: QueryStatistics | undefined;
}

export interface RunQueryOptions {
  /** Aborted (Ctrl-C): StopQuery is sent and QueryNotCompleteError thrown. */
  signal: AbortSignal;
  stderr: TextOut;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Starts the query, polls until it ends, and returns every row of a Complete query (all pages). */
export async function runQuery(client: CloudWatchLogsClient, input: StartQueryCommandInput, opts: RunQueryOptions): Promise<QueryResult> {
  const sleep = opts.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  const { queryId } = await client.send(new StartQueryCommand(input));
  if (queryId === undefined) throw new Error('StartQuery answered without a queryId');
  const progress = new QueryProgress(opts.stderr);
  try {
    let wait = FIRST_POLL_MS;
    for (;;) {
      const r = await client.send(new GetQueryResultsCommand({ queryId }));
      const status = r.status ?? 'Unknown';
      progress.show(status, r.statistics);
      if (status === 'Complete') {
        const rows = [...(r.results ?? [])];
        for (let token = r.nextToken; token !== undefined; ) {
          const page = await client.send(new GetQueryResultsCommand({ queryId, nextToken: token }));
          rows.push(...(page.results ?? []));
          token = page.nextToken;
        }
        progress.done(`${rows.length} ${rows.length === 1 ? 'row' : 'rows'}; ${describeStatistics(r.statistics)}`);
        return { queryId, rows, statistics: r.statistics };
      }
      if (status !== 'Scheduled' && status !== 'Running') {
        throw new QueryNotCompleteError(`query ${queryId} ended with status ${status}`);
      }
      try {
        await sleep(wait, opts.signal);
      } catch (e) {
        if (!opts.signal.aborted) throw e;
      }
      if (opts.signal.aborted) {
        await stopQuietly(client, queryId);
        throw new QueryNotCompleteError(`stopped query ${queryId}`);
      }
      wait = Math.min(MAX_POLL_MS, Math.round(wait * 1.5));
    }
  } finally {
    progress.done();
  }
}

/** StopQuery; a query that ended meanwhile (InvalidParameterException) is no error here. */
async function stopQuietly(client: CloudWatchLogsClient, queryId: string): Promise<void> {
  try {
    await client.send(new StopQueryCommand({ queryId }));
  } catch (e) {
    if ((e as { name?: unknown }).name !== 'InvalidParameterException') throw e;
  }
}

/** `Running: 12,000 records scanned, 40 matched, 1.2 MiB` on one line of a terminal; nothing elsewhere. */
class QueryProgress {
  private shown = false;
  constructor(private readonly out: TextOut) {}

  show(status: string, stats: QueryStatistics | undefined): void {
    if (this.out.isTTY !== true) return;
    this.out.write(`\r\x1b[K${status}: ${describeStatistics(stats)}`);
    this.shown = true;
  }

  /** Erases the line; on a terminal, leaves `summary` in its place. */
  done(summary?: string): void {
    if (!this.shown) return;
    this.out.write(summary === undefined ? '\r\x1b[K' : `\r\x1b[K${summary}\n`);
    this.shown = false;
  }
}

function describeStatistics(s: QueryStatistics | undefined): string {
  const n = (v: number | undefined): string => Math.round(v ?? 0).toLocaleString('en-US');
  return `${n(s?.recordsScanned)} records scanned, ${n(s?.recordsMatched)} matched, ${formatBytes(s?.bytesScanned ?? 0)}`;
}

/** One column per field, in the order fields first appear; @ptr is left out (it is for GetLogRecord). */
export function renderRows(rows: readonly ResultField[][], terminalWidth?: number): string {
  const fields: string[] = [];
  for (const row of rows) for (const f of row) if (f.field !== undefined && f.field !== '@ptr' && !fields.includes(f.field)) fields.push(f.field);
  if (fields.length === 0) return '';
  return renderTable(
    fields,
    rows.map((row) => {
      const o = toObject(row);
      return fields.map((f) => o[f] ?? '');
    }),
    terminalWidth === undefined ? {} : { maxWidth: terminalWidth },
  );
}

export function toObject(row: readonly ResultField[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (const f of row) if (f.field !== undefined) o[f.field] = f.value ?? '';
  return o;
}

/** ISO 8601, a duration back from now, or epoch seconds (up to 10 digits) or milliseconds. */
export function parseTimePoint(text: string, now: number): number {
  const t = text.trim();
  if (/^\d{1,16}$/.test(t)) return t.length <= 10 ? Number(t) * 1000 : Number(t);
  return parseTimeArg(t, now);
}

function parseLimit(text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 100_000) throw new UsageError(`invalid --limit '${text}': expected a whole number from 1 to 100000`);
  return n;
}
