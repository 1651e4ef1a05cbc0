/**
 * PutMetricFilter, DescribeMetricFilters and DeleteMetricFilter. Filters are kept in the catalog and
 * compiled into the ingest path (src/metrics/metric-filters.ts) as soon as they are put, so every event
 * stored after PutMetricFilter answers is counted, and none stored before.
 *
 * Checks beyond the model, in AWS's words where AWS's are known ("dimensions and default value are
 * mutually exclusive properties", "The specified filter pattern does not support dimensions").
 */
import { ApiError, MESSAGES, invalidParameter } from '../errors.js';
import type { MetricFilter } from '../model/generated/logs-types.js';
import type { LogGroup, MetricFilterRecord } from '../../store/catalog.js';
import { decodeToken, encodeToken } from '../tokens.js';
import type { Action, ActionContext } from './context.js';
import { groupByName, parsePattern } from './common.js';

/** "You can have up to 100 metric filters per log group" (CloudWatch Logs quotas). */
export const MAX_FILTERS_PER_GROUP = 100;
export const MAX_DIMENSIONS = 3;
/** A field selector: `$.a.b`, `$.a[0]`, `$.['x.y']` (JSON) or `$name` / `$3` (space-delimited). */
const SELECTOR = /^\$(\.\S+|[A-Za-z0-9_]+)$/;

export const putMetricFilter: Action<'PutMetricFilter'> = async (ctx, input) => {
  const g = groupByName(ctx, input.logGroupName);
  const pattern = parsePattern(input.filterPattern);
  const t = input.metricTransformations[0]!;
  const value = t.metricValue.trim();
  if (!SELECTOR.test(value) && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) {
    throw invalidParameter(`Invalid metric value: '${t.metricValue}'. The metric value must be a number or a field selector such as $.field or $name.`);
  }
  const dims = Object.entries(t.dimensions ?? {});
  if (dims.length > 0) {
    if (t.defaultValue !== undefined) throw invalidParameter('Invalid metric transformation: dimensions and default value are mutually exclusive properties');
    if (pattern.kind !== 'json' && pattern.kind !== 'delimited') throw invalidParameter('The specified filter pattern does not support dimensions');
    if (dims.length > MAX_DIMENSIONS) throw invalidParameter(`Invalid metric transformation: a metric filter can have at most ${MAX_DIMENSIONS} dimensions`);
    for (const [name, sel] of dims) {
      if (name.trim() === '') throw invalidParameter('Invalid metric transformation: a dimension name must not be empty');
      if (!SELECTOR.test(sel)) throw invalidParameter(`Invalid metric transformation: the value of dimension '${name}' must be a field selector such as $.field or $name, not '${sel}'`);
    }
  }
  if (typeof t.defaultValue === 'number' && !Number.isFinite(t.defaultValue)) throw invalidParameter('Invalid metric transformation: defaultValue must be a finite number');
  await ctx.store.withWriteLock(async () => {
    // The group may have gone while this request waited for the lock.
    if (ctx.store.catalog.groupsById.get(g.id) !== g) throw new ApiError('ResourceNotFoundException', MESSAGES.groupNotFound);
    const existing = ctx.store.catalog.metricFilters.get(g.id);
    if (!existing?.has(input.filterName) && (existing?.size ?? 0) >= MAX_FILTERS_PER_GROUP) {
      throw new ApiError('LimitExceededException', 'Resource limit exceeded.');
    }
    const record: MetricFilterRecord = {
      groupId: g.id,
      name: input.filterName,
      pattern: input.filterPattern,
      transformations: [
        {
          metricName: t.metricName,
          metricNamespace: t.metricNamespace,
          metricValue: value,
          ...(t.defaultValue !== undefined ? { defaultValue: t.defaultValue } : {}),
          ...(dims.length > 0 ? { dimensions: Object.fromEntries(dims) } : {}),
          ...(t.unit !== undefined ? { unit: t.unit } : {}),
        },
      ],
      createdMs: existing?.get(input.filterName)?.createdMs ?? ctx.clock.now(),
      applyOnTransformedLogs: input.applyOnTransformedLogs ?? false,
    };
    await ctx.metricFilters.change(g, () => ctx.store.catalog.putMetricFilter(record));
  });
  return {};
};

export const deleteMetricFilter: Action<'DeleteMetricFilter'> = async (ctx, input) => {
  const g = groupByName(ctx, input.logGroupName);
  await ctx.store.withWriteLock(async () => {
    if (!ctx.store.catalog.metricFilters.get(g.id)?.has(input.filterName)) {
      throw new ApiError('ResourceNotFoundException', 'The specified metric filter does not exist.');
    }
    await ctx.metricFilters.change(g, () => ctx.store.catalog.deleteMetricFilter(g.id, input.filterName));
  });
  return {};
};

type Position = [string, string];
const isPosition = (v: unknown): v is Position => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';

export const describeMetricFilters: Action<'DescribeMetricFilters'> = async (ctx, input) => {
  if (input.filterNamePrefix !== undefined && input.logGroupName === undefined) {
    throw invalidParameter('If you specify filterNamePrefix, you must also specify logGroupName.');
  }
  if ((input.metricName === undefined) !== (input.metricNamespace === undefined)) {
    throw invalidParameter('metricName and metricNamespace must be specified together.');
  }
  const groups = input.logGroupName !== undefined ? [groupByName(ctx, input.logGroupName)] : [...ctx.store.catalog.groups.values()];
  const after = input.nextToken === undefined ? undefined : decodeToken('DescribeMetricFilters', input.nextToken, isPosition);
  const limit = input.limit ?? 50;
  const rows: Array<{ g: LogGroup; f: MetricFilterRecord }> = [];
  for (const g of groups) {
    for (const f of ctx.store.catalog.metricFilters.get(g.id)?.values() ?? []) {
      if (input.filterNamePrefix !== undefined && !f.name.startsWith(input.filterNamePrefix)) continue;
      const t = f.transformations[0]!;
      if (input.metricName !== undefined && (t.metricName !== input.metricName || t.metricNamespace !== input.metricNamespace)) continue;
      rows.push({ g, f });
    }
  }
  const key = (r: { g: LogGroup; f: MetricFilterRecord }): Position => [r.g.name, r.f.name];
  const cmp = (a: Position, b: Position): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  const sorted = rows.sort((a, b) => cmp(key(a), key(b))).filter((r) => after === undefined || cmp(key(r), after) > 0);
  const page = sorted.slice(0, limit);
  const out: MetricFilter[] = page.map(({ g, f }) => ({
    filterName: f.name,
    filterPattern: f.pattern,
    metricTransformations: f.transformations.map((t) => ({ ...t, unit: t.unit as never })),
    creationTime: f.createdMs,
    logGroupName: g.name,
    applyOnTransformedLogs: f.applyOnTransformedLogs,
  }));
  return {
    metricFilters: out,
    ...(sorted.length > limit ? { nextToken: encodeToken('DescribeMetricFilters', key(page.at(-1)!)) } : {}),
  };
};
