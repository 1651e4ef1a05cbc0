/**
 * Field indexes: PutIndexPolicy (create or replace a log group's policy), DescribeIndexPolicies,
 * DeleteIndexPolicy and DescribeFieldIndexes. The policy document is AWS's:
 * `{"Fields": ["RequestId", ...]}`, or `{"FieldsV2": {"RequestId": {"type": "FIELD_INDEX"}, ...}}`
 * (the two lists may be combined but not share a name). Only log-group-level policies exist here
 * (no account policies), so DescribeIndexPolicies always answers `source: LOG_GROUP`.
 *
 * What an index means for queries is in store/index-policies.ts: `filterIndex` reads only the groups
 * that index the field, and only events ingested while they did. DescribeFieldIndexes reports, per
 * group, the indexed fields that its events hold, with the earliest and latest event time of those
 * events, computed from the store when asked (lastScanTime is that moment).
 */
import { ApiError, MESSAGES, notFound } from '../errors.js';
import type { FieldIndex, IndexCategory, IndexType } from '../model/generated/logs-types.js';
import type { LogGroup } from '../../store/catalog.js';
import { DEFAULT_INDEXED_FIELDS, INACTIVE_RETENTION_MS, queryFieldName, type IndexWindow } from '../../store/index-policies.js';
import { parseQuery } from '../../query/insights/parse.js';
import { runInsightsQuery } from '../../query/insights/engine.js';
import { groupArn, groupNameFromIdentifier } from './common.js';
import type { Action, ActionContext } from './context.js';

/** Quotas of the Field index syntax and quotas page. */
const MAX_FIELDS = 20;
const MAX_FIELD_CHARS = 100;
/** Generated fields that may be indexed as they are (the same page); other `@` fields need `@@`. */
const GENERATED_FIELDS = ['@logStream', '@ingestionTime', '@requestId', '@type', '@initDuration', '@duration', '@billedDuration', '@memorySize', '@maxMemoryUsed', '@xrayTraceId', '@xraySegmentId'];
/** FieldIndexName's pattern in the service model, with the `@` (or `@@`) a field may start with. */
const FIELD_NAME = /^@{0,2}[.\-_/#A-Za-z0-9]+$/;

const invalid = (message: string): ApiError => new ApiError('InvalidParameterException', message);

/** The fields a policy document indexes, with their types; throws InvalidParameterException saying what is wrong. */
export function policyFields(document: string): Array<{ name: string; type: IndexType }> {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch (e) {
    throw new ApiError('InvalidParameterException', 'The policy document is not valid JSON.', { cause: e });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalid('The policy document must be a JSON object with a Fields list or a FieldsV2 map.');
  const { Fields, FieldsV2, ...rest } = doc as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw invalid(`The policy document has an unknown key '${unknown[0]}': expected Fields or FieldsV2.`);
  const out: Array<{ name: string; type: IndexType }> = [];
  if (Fields !== undefined) {
    if (!Array.isArray(Fields) || !Fields.every((f) => typeof f === 'string')) throw invalid('Fields must be a list of field names.');
    for (const f of Fields as string[]) out.push({ name: f, type: 'FIELD_INDEX' });
  }
  if (FieldsV2 !== undefined) {
    if (FieldsV2 === null || typeof FieldsV2 !== 'object' || Array.isArray(FieldsV2)) throw invalid('FieldsV2 must be a map of field names to {"type": "FIELD_INDEX" | "FACET"}.');
    for (const [name, spec] of Object.entries(FieldsV2)) {
      const type = (spec as { type?: unknown } | null)?.type;
      if (type !== 'FIELD_INDEX' && type !== 'FACET') throw invalid(`The type of field '${name}' in FieldsV2 must be FIELD_INDEX or FACET.`);
      if (out.some((f) => f.name === name)) throw invalid(`Field '${name}' is in both Fields and FieldsV2: the two must not share a name.`);
      out.push({ name, type });
    }
  }
  if (out.length === 0) throw invalid('The policy document must include at least one field index.');
  if (out.length > MAX_FIELDS) throw invalid(`A field index policy can include at most ${MAX_FIELDS} fields; this one has ${out.length}.`);
  const seen = new Set<string>();
  for (const { name } of out) {
    if (name.length === 0 || name.length > MAX_FIELD_CHARS) throw invalid(`Field index names must be 1 to ${MAX_FIELD_CHARS} characters long: '${name}'.`);
    if (!FIELD_NAME.test(name)) throw invalid(`Field index name '${name}' may only hold letters, digits and . - _ / #, after an optional @ or @@.`);
    if (name.startsWith('@') && !name.startsWith('@@') && !GENERATED_FIELDS.includes(name)) {
      throw invalid(`'${name}' is not a generated field that can be indexed; to index a field of your log events that starts with @, write it with an extra @ (@${name}).`);
    }
    if (seen.has(name)) throw invalid(`Field '${name}' is listed twice in the policy document.`);
    seen.add(name);
  }
  return out;
}

function groupOf(ctx: ActionContext, identifier: string): LogGroup {
  const g = ctx.store.catalog.groups.get(groupNameFromIdentifier(ctx, identifier));
  if (!g) throw notFound(MESSAGES.groupNotFound);
  return g;
}

/** This API never hands out a nextToken (every answer fits one page): any token given is not ours. */
function noToken(token: string | undefined): void {
  if (token !== undefined) throw invalid(MESSAGES.invalidNextToken);
}

export const putIndexPolicy: Action<'PutIndexPolicy'> = async (ctx, input) => {
  const fields = policyFields(input.policyDocument);
  return ctx.store.withWriteLock(async () => {
    const g = groupOf(ctx, input.logGroupIdentifier);
    // "Only log groups in the Standard log class support field index policies."
    if (g.logGroupClass !== 'STANDARD') throw invalid('Only log groups in the Standard log class support field index policies.');
    const rec = await ctx.store.catalog.indexPolicies.put(g.id, input.policyDocument, fields.map((f) => f.name), ctx.clock.now());
    return { indexPolicy: { logGroupIdentifier: groupArn(ctx, g.name), lastUpdateTime: rec.lastUpdateMs, policyDocument: input.policyDocument, source: 'LOG_GROUP' } };
  });
};

export const describeIndexPolicies: Action<'DescribeIndexPolicies'> = async (ctx, input) => {
  noToken(input.nextToken);
  const indexPolicies = input.logGroupIdentifiers.flatMap((id) => {
    const g = groupOf(ctx, id);
    const rec = ctx.store.catalog.indexPolicies.get(g.id);
    return rec?.document == null ? [] : [{ logGroupIdentifier: groupArn(ctx, g.name), lastUpdateTime: rec.lastUpdateMs, policyDocument: rec.document, source: 'LOG_GROUP' as const }];
  });
  return { indexPolicies };
};

export const deleteIndexPolicy: Action<'DeleteIndexPolicy'> = async (ctx, input) => {
  await ctx.store.withWriteLock(async () => {
    const g = groupOf(ctx, input.logGroupIdentifier);
    if (!(await ctx.store.catalog.indexPolicies.delete(g.id, ctx.clock.now()))) throw notFound('The specified log group does not have a field index policy.');
  });
  return {};
};

interface Candidate {
  field: string;
  category: IndexCategory;
  type: IndexType;
  /** Ingestion-time windows of the events that count (empty: all events). */
  windows: IndexWindow[];
}

/** The indexed fields of a group in the categories asked for, before looking at its events. */
function candidates(g: LogGroup, ctx: ActionContext, categories: ReadonlySet<IndexCategory>, nowMs: number): Candidate[] {
  const out: Candidate[] = [];
  if (categories.has('DEFAULT') && g.logGroupClass === 'STANDARD') {
    for (const field of DEFAULT_INDEXED_FIELDS) out.push({ field, category: 'DEFAULT', type: 'FIELD_INDEX', windows: [] });
  }
  const rec = ctx.store.catalog.indexPolicies.get(g.id);
  if (!rec) return out;
  const types = new Map((rec.document === null ? [] : policyFields(rec.document)).map((f) => [queryFieldName(f.name), f.type]));
  const byField = new Map<string, IndexWindow[]>();
  for (const w of rec.windows) {
    if (w.toMs !== null && w.toMs <= nowMs - INACTIVE_RETENTION_MS) continue;
    byField.set(w.field, [...(byField.get(w.field) ?? []), w]);
  }
  for (const [field, windows] of byField) {
    const active = windows.some((w) => w.toMs === null);
    const category: IndexCategory = active ? 'CUSTOM' : 'INACTIVE';
    if (categories.has(category) && !out.some((c) => c.field === field)) out.push({ field, category, type: types.get(field) ?? 'FIELD_INDEX', windows: active ? windows.filter((w) => w.toMs === null) : windows });
  }
  return out;
}

const SENTINEL_FIRST = 9_000_000_000_000_000;

/** Earliest and latest event time of the events holding each candidate field (within its windows), by one query. */
async function eventTimes(ctx: ActionContext, g: LogGroup, list: Candidate[], nowMs: number): Promise<Array<{ first: number; last: number } | null>> {
  if (list.length === 0) return [];
  const conds = list.map((c) => {
    const present = `ispresent(\`${c.field}\`)`;
    if (c.windows.length === 0) return present;
    const inWindow = c.windows.map((w) => `(it >= ${w.fromMs}${w.toMs === null ? '' : ` and it < ${w.toMs}`})`).join(' or ');
    return `${present} and (${inWindow})`;
  });
  const aggs = conds.flatMap((cond, i) => [`min(if(${cond}, t, ${SENTINEL_FIRST})) as f${i}`, `max(if(${cond}, t, -1)) as l${i}`]);
  const text = `fields toMillis(@timestamp) as t, toMillis(@ingestionTime) as it | stats ${aggs.join(', ')}`;
  const out = await runInsightsQuery(ctx.store, {
    groups: [g],
    startMs: 0,
    endMs: nowMs + 86_400_000,
    query: parseQuery(text),
    queryString: text,
    limit: 1,
    signal: AbortSignal.timeout(60_000),
    accountId: ctx.accountId,
  });
  const row = new Map((out.rows[0] ?? []).map((f) => [f.field, Number(f.value)]));
  return list.map((_, i) => {
    const first = row.get(`f${i}`);
    const last = row.get(`l${i}`);
    return first === undefined || last === undefined || last < 0 || first >= SENTINEL_FIRST ? null : { first, last };
  });
}

export const describeFieldIndexes: Action<'DescribeFieldIndexes'> = async (ctx, input) => {
  noToken(input.nextToken);
  // "If you omit this parameter, the response includes the DEFAULT, CUSTOM, and INACTIVE categories."
  const categories = new Set<IndexCategory>(input.indexCategories ?? ['DEFAULT', 'CUSTOM', 'INACTIVE']);
  const groups = input.logGroupIdentifiers.map((id) => groupOf(ctx, id));
  const nowMs = ctx.clock.now();
  const fieldIndexes: FieldIndex[] = [];
  for (const g of groups) {
    const list = candidates(g, ctx, categories, nowMs);
    const times = await eventTimes(ctx, g, list, nowMs);
    list.forEach((c, i) => {
      const t = times[i];
      if (!t) return; // "field indexes discovered in log data": none of its events holds the field yet
      fieldIndexes.push({
        logGroupIdentifier: groupArn(ctx, g.name),
        fieldIndexName: c.field,
        lastScanTime: nowMs,
        firstEventTime: t.first,
        lastEventTime: t.last,
        type: c.type,
        indexCategory: c.category,
      });
    });
  }
  return { fieldIndexes };
};
