/**
 * StartQuery: parses and checks the Logs Insights query (MalformedQueryException with the span to
 * blame), selects the log groups (logGroupName, logGroupNames or logGroupIdentifiers, exactly one, or the
 * query's own SOURCE command) and hands the query to the query manager, which runs it asynchronously.
 */
import { ApiError, MESSAGES, TEMPLATES } from '../errors.js';
import { QueryError, type Query, type SourceClause } from '../../query/insights/ast.js';
import { parseQuery } from '../../query/insights/parse.js';
import type { LookupTableResolver } from '../../query/insights/compile/state.js';
import { checkQuery, lookupResolver, nestedQueries, type NestedSelection } from '../../query/insights/engine.js';
import { QueryQueueFullError } from '../../query/insights/manager.js';
import type { LogGroup } from '../../store/catalog.js';
import { groupDataSources, matchesDataSource } from '../../formats/data-sources.js';
import type { Action, ActionContext } from './context.js';

/** Rows of a query without a limit of its own or in the request (AWS's default). */
export const DEFAULT_QUERY_LIMIT = 10_000;
/** "You can include up to 50 log groups." (StartQuery: logGroupNames, logGroupIdentifiers) */
const MAX_QUERY_GROUPS = 50;

export const startQuery: Action<'StartQuery'> = async (ctx, input) => {
  if (input.queryLanguage !== undefined && input.queryLanguage !== 'CWLI') {
    throw new ApiError('InvalidParameterException', MESSAGES.queryLanguage);
  }
  if (input.endTime < input.startTime) throw new ApiError('InvalidParameterException', MESSAGES.queryTimeRange);
  // The groups named in the request are checked before the query is parsed; a SOURCE command in it
  // then takes the place of all three.
  const given = [input.logGroupName, input.logGroupNames, input.logGroupIdentifiers].filter((v) => v !== undefined);
  if (given.length > 1 || (Array.isArray(given[0]) && given[0].length === 0)) {
    throw new ApiError('InvalidParameterException', MESSAGES.queryGroupSelection);
  }
  const named = given.length === 1 ? namedGroups(ctx, input) : null;
  const query = compileQuery(input.queryString, lookupResolver(ctx.store));
  const source = query.source;
  if ((source === null) === (named === null)) throw new ApiError('InvalidParameterException', MESSAGES.queryGroupSelection);
  const groups = named ?? sourceGroups(ctx, source!);
  checkLogClass(query, input.queryString, groups);
  // Times are whole seconds, both ends inclusive: the end second runs to its last millisecond. START and
  // END in a SOURCE command narrow the range further (relative ones count from now).
  const now = ctx.clock.now();
  let startMs = toMs(input.startTime);
  let endMs = toMs(input.endTime) + 999;
  const { start: sourceStart, end: sourceEnd } = sourceTimes(source, now);
  if (sourceStart != null) startMs = Math.max(startMs, sourceStart);
  if (sourceEnd != null) endMs = Math.min(endMs, sourceEnd);
  const nested = nestedSelections(ctx, query, now);
  const ownLimit = query.commands.findLast((c) => c.kind === 'limit');
  try {
    const queryId = ctx.insights.queries.start({
      queryString: describedQueryString(input.queryString, source, groups, startMs, endMs),
      text: input.queryString,
      accountId: ctx.accountId,
      groups,
      startMs,
      endMs,
      query,
      ...(nested.size > 0 ? { nested } : {}),
      limit: input.limit ?? (ownLimit?.kind === 'limit' ? ownLimit.count : DEFAULT_QUERY_LIMIT),
    });
    return { queryId };
  } catch (e) {
    if (e instanceof QueryQueueFullError) throw new ApiError('LimitExceededException', TEMPLATES.queryConcurrency(e.maxInFlight), { cause: e });
    throw e;
  }
};

/**
 * AWS (CWL_AnalyzeLogData_Classes, the command table): "Log groups in the Infrequent Access log class
 * support all Logs Insights QL query commands except pattern, diff, and unmask", nor filterIndex.
 * A query that uses one over such a group is MalformedQueryException pointing at the command.
 */
const NOT_FOR_INFREQUENT_ACCESS: ReadonlySet<string> = new Set(['pattern', 'diff', 'unmask', 'filterIndex']);

function checkLogClass(query: Query, text: string, groups: readonly LogGroup[]): void {
  const cold = groups.find((g) => g.logGroupClass === 'INFREQUENT_ACCESS');
  if (cold === undefined) return;
  const command = query.commands.find((c) => NOT_FOR_INFREQUENT_ACCESS.has(c.kind));
  if (command === undefined) return;
  const word = /^\S+/.exec(text.slice(command.span.start))![0];
  throw malformedQuery(
    new QueryError(`The ${word} command is not supported for log groups in the Infrequent Access log class, such as '${cold.name}'`, {
      start: command.span.start,
      end: command.span.start + word.length,
    }),
  );
}

/** START= and END= of a SOURCE clause in epoch ms (relative ones count from now), when given. */
function sourceTimes(source: SourceClause | null, now: number): { start: number | null; end: number | null } {
  return {
    start: source?.startMs ?? (source?.startOffsetMs != null ? now + source.startOffsetMs : null),
    end: source?.endMs ?? (source?.endOffsetMs != null ? now + source.endOffsetMs : null),
  };
}

/**
 * The groups of each nested query's SOURCE (join, `in (...)`), authorized like the query's own: a query
 * must not read, through a join or a subquery, a group its caller may not query. A name that does not
 * exist is a MalformedQueryException pointing at the SOURCE clause.
 */
function nestedSelections(ctx: ActionContext, query: Query, now: number): Map<number, NestedSelection> {
  const out = new Map<number, NestedSelection>();
  for (const n of nestedQueries(query)) {
    if (n.source === null) continue;
    const missing = n.source.names.find((name) => !ctx.store.catalog.groups.has(name));
    if (missing !== undefined) throw malformedQuery(new QueryError(`The log group '${missing}' in the SOURCE of this nested query does not exist`, n.source.span));
    const { start, end } = sourceTimes(n.source, now);
    out.set(n.key, { groups: sourceGroups(ctx, n.source), ...(start != null ? { startMs: start } : {}), ...(end != null ? { endMs: end } : {}) });
  }
  return out;
}

/** The parsed, semantically checked query, or MalformedQueryException pointing at the problem. */
export function compileQuery(text: string, lookupTables?: LookupTableResolver): Query {
  try {
    const query = parseQuery(text);
    checkQuery(query, text, lookupTables);
    return query;
  } catch (e) {
    if (e instanceof QueryError) throw malformedQuery(e);
    throw e;
  }
}

/** The shape AWS sends: the message twice, and where the problem is (UTF-16 offsets, end exclusive). */
export function malformedQuery(e: QueryError): ApiError {
  return new ApiError('MalformedQueryException', e.message, {
    cause: e,
    fields: { queryCompileError: { location: { startCharOffset: e.span.start, endCharOffset: e.span.end }, message: e.message } },
  });
}

/** The groups of logGroupName, logGroupNames or logGroupIdentifiers (exactly one is given): all must exist. */
function namedGroups(ctx: ActionContext, input: { logGroupName?: string; logGroupNames?: string[]; logGroupIdentifiers?: string[] }): LogGroup[] {
  for (const [member, list] of [['logGroupNames', input.logGroupNames], ['logGroupIdentifiers', input.logGroupIdentifiers]] as const) {
    if (list !== undefined && list.length > MAX_QUERY_GROUPS) {
      throw new ApiError(
        'InvalidParameterException',
        `1 validation error detected: Value '[${list.join(', ')}]' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_QUERY_GROUPS}`,
      );
    }
  }
  const own = (name: string): GroupRef => ({ name, account: ctx.accountId, region: ctx.region });
  const refs = input.logGroupName !== undefined ? [own(input.logGroupName)] : (input.logGroupNames ?? []).map(own);
  for (const id of input.logGroupIdentifiers ?? []) refs.push(parseIdentifier(id) ?? own(id));
  const out = new Map<string, LogGroup>();
  for (const ref of refs) {
    // A group of another account or region is not one of ours, whatever its name.
    const g = ref.account === ctx.accountId && ref.region === ctx.region ? ctx.store.catalog.groups.get(ref.name) : undefined;
    if (g === undefined) throw new ApiError('ResourceNotFoundException', TEMPLATES.queryGroupNotFound(ref.name, ref.account));
    out.set(g.name, g);
  }
  return [...out.values()];
}

interface GroupRef {
  name: string;
  account: string;
  region: string;
}

/** An ARN `arn:aws:logs:<region>:<account>:log-group:<name>` (a trailing `:*` is tolerated), else null. */
function parseIdentifier(id: string): GroupRef | null {
  const m = /^arn:[^:]+:logs:([^:]*):(\d*):log-group:(.+?)(?::\*)?$/.exec(id);
  return m === null ? null : { name: m[3]!, account: m[2]!, region: m[1]! };
}

/**
 * `SOURCE logGroups(namePrefix: [...], class: ..., accountIdentifiers: [...])`, `SOURCE "name"`,
 * `dataSource([...])` and `logGroupTags([...])`: names must exist, prefixes may match none, neither
 * selects all; groups are only this account's. Every selector given must hold. Without `class`, a
 * selection that does not name its groups takes only Standard ones (AWS: "If you don't include the
 * class identifier, the query applies only to log groups in the Standard log class").
 */
function sourceGroups(ctx: ActionContext, source: SourceClause): LogGroup[] {
  if (source.accountIdentifiers.length > 0 && !source.accountIdentifiers.includes(ctx.accountId)) return [];
  const out = new Map<string, LogGroup>();
  for (const name of source.names) {
    const g = ctx.store.catalog.groups.get(name);
    if (g === undefined) throw new ApiError('ResourceNotFoundException', TEMPLATES.queryGroupNotFound(name, ctx.accountId));
    const denied = ctx.mayQuery?.(name);
    if (denied !== undefined) throw new ApiError('AccessDeniedException', denied);
    out.set(name, g);
  }
  // `logGroups()`, `logGroups(class: ...)`, `dataSource([...])`...: no names and no prefixes select every group.
  const all = source.names.length === 0 && source.namePrefixes.length === 0;
  if (all || source.namePrefixes.length > 0) {
    for (const g of ctx.store.catalog.groups.values()) {
      // Groups the caller may not query are left out of a selection by prefix, as if they did not match.
      if ((all || source.namePrefixes.some((p) => g.name.startsWith(p))) && ctx.mayQuery?.(g.name) === undefined) out.set(g.name, g);
    }
  }
  const cls = source.logGroupClass ?? (source.names.length > 0 ? null : 'STANDARD');
  const selected = (g: LogGroup): boolean =>
    (cls === null || g.logGroupClass === cls) &&
    (source.dataSources.length === 0 || matchesDataSource(groupDataSources(g.tags), source.dataSources)) &&
    source.tagFilters.every((t) => {
      const v = g.tags.get(t.key);
      return v !== undefined && (t.values.length === 0 || t.values.includes(v));
    });
  return [...out.values()].filter(selected).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The query string as DescribeQueries shows it. AWS prefixes what was sent with the selection it made
 * (recorded, test_logs_queries: `SOURCE "<group>" START=<start>000 END=<end>999 | fields @message`); a
 * query with a SOURCE command of its own is shown as it was written.
 */
export function describedQueryString(text: string, source: SourceClause | null, groups: readonly LogGroup[], startMs: number, endMs: number): string {
  if (source !== null) return text;
  return `SOURCE ${groups.map((g) => `"${g.name}"`).join(' ')} START=${startMs} END=${endMs} | ${text}`;
}

/** Epoch seconds to milliseconds, clamped to what a JavaScript number holds exactly. */
function toMs(seconds: number): number {
  return Math.min(seconds * 1000, Number.MAX_SAFE_INTEGER - 999);
}
