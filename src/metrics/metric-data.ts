/**
 * Runs a set of MetricDataQuery (GetMetricData, and alarms on metric math): MetricStat queries read the
 * store, expressions combine other queries' results (math.ts), in dependency order. Checks that ids are
 * unique, that expressions parse and refer to known ids without cycles; errors are QueryError with the
 * parameter path AWS uses (`MetricDataQueries.member.2.Expression`).
 */
import type { MetricDataQuery } from '../api/model/generated/monitoring-types.js';
import { evaluate, MathError, parseExpression, references, type TimeSeries } from './math.js';
import { canonicalDimensions, type MetricStore } from './metric-store.js';
import { queryStat } from './query.js';
import { parseStat } from './statistics.js';

export class QueryError extends Error {
  override readonly name = 'QueryError';
}

export interface QueryResult {
  id: string;
  label: string;
  series: TimeSeries;
  returnData: boolean;
  /** Sample counts per timestamp (MetricStat queries only). */
  counts?: Map<number, number>;
}

const ID = /^[a-z][a-zA-Z0-9_]*$/;

export async function runQueries(store: MetricStore, queries: readonly MetricDataQuery[], fromSec: number, toSec: number): Promise<QueryResult[]> {
  const byId = new Map<string, { q: MetricDataQuery; index: number }>();
  queries.forEach((q, index) => {
    const at = `MetricDataQueries.member.${index + 1}`;
    if (!ID.test(q.Id)) throw new QueryError(`The value ${q.Id} for parameter ${at}.Id is not valid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
    if (byId.has(q.Id)) throw new QueryError(`The value ${q.Id} for parameter ${at}.Id is not unique.`);
    if ((q.MetricStat === undefined) === (q.Expression === undefined)) {
      throw new QueryError(`Exactly one of MetricStat and Expression must be specified for ${at}.`);
    }
    if (q.MetricStat !== undefined && parseStat(q.MetricStat.Stat) === undefined) {
      throw new QueryError(`The value ${q.MetricStat.Stat} for parameter ${at}.MetricStat.Stat is not a valid statistic.`);
    }
    if (q.MetricStat !== undefined && !validPeriod(q.MetricStat.Period)) {
      throw new QueryError(`The parameter ${at}.MetricStat.Period must be 1, 5, 10, 30 or a multiple of 60.`);
    }
    byId.set(q.Id, { q, index });
  });
  const parsed = new Map<string, ReturnType<typeof parseExpression>>();
  for (const { q, index } of byId.values()) {
    if (q.Expression === undefined) continue;
    try {
      const e = parseExpression(q.Expression);
      for (const ref of references(e)) {
        if (ref !== '*' && !byId.has(ref)) throw new MathError(`Unrecognized metric id ${ref}`);
      }
      parsed.set(q.Id, e);
    } catch (err) {
      if (err instanceof MathError) throw new QueryError(`The value ${q.Expression} for parameter MetricDataQueries.member.${index + 1}.Expression is not valid: ${err.message}.`, { cause: err });
      throw err;
    }
  }
  const results = new Map<string, QueryResult>();
  const statIds = [...byId.values()].filter((x) => x.q.MetricStat !== undefined).map((x) => x.q.Id);
  const visiting = new Set<string>();
  const resolve = async (id: string): Promise<QueryResult> => {
    const done = results.get(id);
    if (done) return done;
    if (visiting.has(id)) throw new QueryError(`Circular dependency in metric math expressions involving ${id}.`);
    visiting.add(id);
    const { q } = byId.get(id)!;
    let r: QueryResult;
    if (q.MetricStat !== undefined) {
      const ms = q.MetricStat;
      const points = await queryStat(
        store,
        {
          namespace: ms.Metric.Namespace ?? '',
          metricName: ms.Metric.MetricName ?? '',
          dimensions: canonicalDimensions(ms.Metric.Dimensions ?? []),
          period: ms.Period,
          stat: parseStat(ms.Stat)!,
          ...(ms.Unit !== undefined ? { unit: ms.Unit } : {}),
        },
        fromSec,
        toSec,
      );
      r = {
        id,
        label: q.Label ?? ms.Metric.MetricName ?? id,
        series: new Map(points.map((p) => [p.ts, p.value])),
        counts: new Map(points.map((p) => [p.ts, p.sampleCount])),
        returnData: q.ReturnData ?? true,
      };
    } else {
      const e = parsed.get(id)!;
      const deps = references(e);
      const needed = deps.has('*') ? [...new Set([...deps, ...statIds])].filter((d) => d !== '*') : [...deps];
      const got = new Map<string, TimeSeries>();
      for (const d of needed) got.set(d, (await resolve(d)).series);
      const v = evaluate(e, (ref) => got.get(ref)!, () => statIds.map((s) => got.get(s)!));
      // A constant expression has no timestamps of its own: AWS gives it those of the other results.
      const series: TimeSeries = typeof v === 'number' ? new Map() : v;
      r = { id, label: q.Label ?? id, series, returnData: q.ReturnData ?? true };
    }
    visiting.delete(id);
    results.set(id, r);
    return r;
  };
  for (const id of byId.keys()) await resolve(id);
  return queries.map((q) => results.get(q.Id)!);
}

/** 1, 5, 10, 30 (high resolution) or a multiple of 60. */
export function validPeriod(p: number): boolean {
  return Number.isInteger(p) && (p === 1 || p === 5 || p === 10 || p === 30 || (p >= 60 && p % 60 === 0));
}
