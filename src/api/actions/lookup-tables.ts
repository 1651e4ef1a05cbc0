/**
 * Lookup tables: CreateLookupTable, DescribeLookupTables, GetLookupTable, UpdateLookupTable and
 * DeleteLookupTable. A table is CSV (a header row of column names, then records; UTF-8, at most 10 MB),
 * given as tableBody or taken from the results of a Complete or Cancelled query (queryId); at most 100
 * tables. The content is stored sealed (store/lookup-tables.ts); the Logs Insights `lookup` command reads
 * it (query/insights/commands/lookup.ts).
 */
import { randomUUID } from 'node:crypto';
import { ApiError, MESSAGES } from '../errors.js';
import type { LookupTable } from '../model/generated/logs-types.js';
import type { LookupTableRecord } from '../../store/lookup-tables.js';
import { CsvError, csvField, parseCsv } from '../../formats/csv.js';
import { decodeToken, encodeToken } from '../tokens.js';
import type { Action, ActionContext } from './context.js';
import { checkTags } from './tags.js';
import { checkKmsKeyArn } from './kms-keys.js';

/** "You can create up to 100 lookup tables per account per AWS Region." */
export const MAX_LOOKUP_TABLES = 100;
/** "The content must use UTF-8 encoding and not exceed 10 MB." */
export const MAX_TABLE_BYTES = 10 * 1024 * 1024;

export const lookupTableArn = (ctx: ActionContext, name: string): string => `arn:aws:logs:${ctx.region}:${ctx.accountId}:lookup-table:${name}`;

/** The table an ARN names: ResourceNotFoundException when it is not one of this account's and region's. */
function tableByArn(ctx: ActionContext, arn: string): LookupTableRecord {
  const m = /^arn:aws[a-z-]*:logs:([^:]*):(\d*):lookup-table:([A-Za-z0-9_]+)$/.exec(arn);
  if (m === null) throw new ApiError('InvalidParameterException', `'${arn}' is not a lookup table ARN: expected arn:aws:logs:<region>:<account-id>:lookup-table:<name>.`);
  const t = m[1] === ctx.region && m[2] === ctx.accountId ? ctx.store.lookupTables.tables.get(m[3]!) : undefined;
  if (t === undefined) throw new ApiError('ResourceNotFoundException', MESSAGES.lookupTableNotFound);
  return t;
}

/** A table's content and what DescribeLookupTables tells of it, from tableBody or a query's results. */
function content(ctx: ActionContext, input: { tableBody?: string; queryId?: string }): { csv: string; fields: string[]; records: number } {
  if ((input.tableBody === undefined) === (input.queryId === undefined)) {
    throw new ApiError('InvalidParameterException', 'Specify either tableBody or queryId, but not both.');
  }
  const csv = input.tableBody ?? queryResultsCsv(ctx, input.queryId!);
  if (Buffer.byteLength(csv, 'utf8') > MAX_TABLE_BYTES) {
    throw new ApiError('InvalidParameterException', `The lookup table content exceeds the maximum size of ${MAX_TABLE_BYTES} bytes (10 MB).`);
  }
  // JSON can carry lone surrogates (\ud800), which no UTF-8 text holds.
  if (/[\uD800-\uDFFF]/u.test(csv)) throw new ApiError('InvalidParameterException', 'The lookup table content must be UTF-8 text.');
  let records: string[][];
  try {
    records = parseCsv(csv);
  } catch (e) {
    if (e instanceof CsvError) throw new ApiError('InvalidParameterException', `The lookup table content is not valid CSV: ${e.message}.`, { cause: e });
    throw e;
  }
  const header = records[0];
  if (header === undefined || header.every((f) => f.trim() === '')) {
    throw new ApiError('InvalidParameterException', 'The lookup table content must start with a header row of column names.');
  }
  const seen = new Set<string>();
  for (const [i, f] of header.entries()) {
    if (f.trim() === '') throw new ApiError('InvalidParameterException', `Column ${i + 1} of the header row has no name.`);
    if (seen.has(f)) throw new ApiError('InvalidParameterException', `The header row names column '${f}' twice.`);
    seen.add(f);
  }
  for (const [i, r] of records.entries()) {
    if (r.length !== header.length) {
      throw new ApiError('InvalidParameterException', `Row ${i + 1} has ${r.length} field${r.length === 1 ? '' : 's'}; the header row has ${header.length}.`);
    }
  }
  return { csv, fields: header, records: records.length - 1 };
}

/**
 * The results of a Complete or Cancelled query as CSV: one column per field in the order they first
 * appear (without @ptr), one row per result; a field a row lacks is empty.
 */
function queryResultsCsv(ctx: ActionContext, queryId: string): string {
  const q = ctx.insights.queries.get(queryId);
  if (q === undefined) throw new ApiError('ResourceNotFoundException', MESSAGES.queryNotFound);
  if (q.status !== 'Complete' && q.status !== 'Cancelled') {
    throw new ApiError('InvalidParameterException', `Query ${queryId} is ${q.status}: a lookup table can be made from a Complete or Cancelled query only.`);
  }
  const fields: string[] = [];
  for (const row of q.rows) for (const { field } of row) if (field !== '@ptr' && !fields.includes(field)) fields.push(field);
  if (fields.length === 0) throw new ApiError('InvalidParameterException', `Query ${queryId} has no results to make a lookup table of.`);
  const lines = [fields.map(csvField).join(',')];
  for (const row of q.rows) {
    const values = new Map(row.map((f) => [f.field, f.value]));
    lines.push(fields.map((f) => csvField(values.get(f) ?? '')).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Stores the content; a KMS key that cannot be used is InvalidParameterException, with nothing changed. */
async function store(ctx: ActionContext, t: Omit<LookupTableRecord, 'file' | 'keyId'>, csv: string): Promise<LookupTableRecord> {
  try {
    return await ctx.store.lookupTables.put(t, csv);
  } catch (e) {
    if (t.kmsKeyId === null) throw e;
    ctx.logger.warn({ err: e, kmsKeyId: t.kmsKeyId, lookupTable: t.name }, 'a KMS key could not be used');
    throw new ApiError('InvalidParameterException', `The specified KMS key does not exist, is disabled or cannot be used: ${t.kmsKeyId}`, { cause: e });
  }
}

export const createLookupTable: Action<'CreateLookupTable'> = async (ctx, input) => {
  if (input.kmsKeyId !== undefined) checkKmsKeyArn(input.kmsKeyId);
  const tags = input.tags ?? {};
  checkTags(tags);
  const c = content(ctx, input);
  return ctx.store.withWriteLock(async () => {
    const tables = ctx.store.lookupTables.tables;
    if (tables.has(input.lookupTableName)) throw new ApiError('ResourceAlreadyExistsException', MESSAGES.lookupTableExists);
    if (tables.size >= MAX_LOOKUP_TABLES) throw new ApiError('LimitExceededException', MESSAGES.resourceLimit);
    const now = ctx.clock.now();
    const t = await store(
      ctx,
      {
        id: randomUUID(),
        name: input.lookupTableName,
        description: input.description ?? '',
        fields: c.fields,
        recordsCount: c.records,
        sizeBytes: Buffer.byteLength(c.csv, 'utf8'),
        createdMs: now,
        lastUpdatedMs: now,
        kmsKeyId: input.kmsKeyId ?? null,
        tags,
      },
      c.csv,
    );
    return { lookupTableArn: lookupTableArn(ctx, t.name), createdAt: t.createdMs };
  });
};

export const updateLookupTable: Action<'UpdateLookupTable'> = async (ctx, input) => {
  // "To remove the KMS key and use an AWS-owned key instead, specify an empty string."
  if (input.kmsKeyId !== undefined && input.kmsKeyId !== '') checkKmsKeyArn(input.kmsKeyId);
  tableByArn(ctx, input.lookupTableArn);
  const c = content(ctx, input);
  return ctx.store.withWriteLock(async () => {
    const old = tableByArn(ctx, input.lookupTableArn);
    const t = await store(
      ctx,
      {
        ...old,
        description: input.description ?? old.description,
        fields: c.fields,
        recordsCount: c.records,
        sizeBytes: Buffer.byteLength(c.csv, 'utf8'),
        lastUpdatedMs: Math.max(ctx.clock.now(), old.lastUpdatedMs),
        kmsKeyId: input.kmsKeyId === undefined ? old.kmsKeyId : input.kmsKeyId === '' ? null : input.kmsKeyId,
      },
      c.csv,
    );
    return { lookupTableArn: lookupTableArn(ctx, t.name), lastUpdatedTime: t.lastUpdatedMs };
  });
};

export const getLookupTable: Action<'GetLookupTable'> = async (ctx, input) => {
  const t = tableByArn(ctx, input.lookupTableArn);
  return {
    lookupTableArn: lookupTableArn(ctx, t.name),
    lookupTableName: t.name,
    ...(t.description !== '' ? { description: t.description } : {}),
    tableBody: await ctx.store.lookupTables.read(t),
    sizeBytes: t.sizeBytes,
    lastUpdatedTime: t.lastUpdatedMs,
    ...(t.kmsKeyId !== null ? { kmsKeyId: t.kmsKeyId } : {}),
  };
};

const isPosition = (v: unknown): v is string => typeof v === 'string';

/** In name order ("Results are sorted by table name in ascending order"), 50 a page by default. */
export const describeLookupTables: Action<'DescribeLookupTables'> = async (ctx, input) => {
  const limit = input.maxResults === undefined || input.maxResults < 1 ? 50 : input.maxResults;
  const after = input.nextToken === undefined ? undefined : decodeToken('DescribeLookupTables', input.nextToken, isPosition);
  const prefix = input.lookupTableNamePrefix ?? '';
  const all = [...ctx.store.lookupTables.tables.values()]
    .filter((t) => t.name.startsWith(prefix) && (after === undefined || t.name > after))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = all.slice(0, limit);
  const lookupTables: LookupTable[] = page.map((t) => ({
    lookupTableArn: lookupTableArn(ctx, t.name),
    lookupTableName: t.name,
    ...(t.description !== '' ? { description: t.description } : {}),
    tableFields: t.fields,
    recordsCount: t.recordsCount,
    sizeBytes: t.sizeBytes,
    lastUpdatedTime: t.lastUpdatedMs,
    ...(t.kmsKeyId !== null ? { kmsKeyId: t.kmsKeyId } : {}),
  }));
  const last = page.at(-1);
  return { lookupTables, ...(all.length > limit && last ? { nextToken: encodeToken('DescribeLookupTables', last.name) } : {}) };
};

export const deleteLookupTable: Action<'DeleteLookupTable'> = async (ctx, input) => {
  await ctx.store.withWriteLock(async () => ctx.store.lookupTables.delete(tableByArn(ctx, input.lookupTableArn)));
  return {};
};
