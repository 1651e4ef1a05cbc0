/**
 * Shredding: the top-level JSON fields that most events of a segment carry, stored as columns of their
 * own beside the message, so that a query reading `level` or `duration_ms` reads a few compressed
 * bytes per event instead of decompressing and parsing every message.
 *
 * A shredded column holds exactly what Logs Insights would extract from the message at query time:
 * it is computed with the same expression (`json_extract_string` of the JSON document that `json_off`
 * locates, for the path `$."key"`), so reading the column or extracting from the message give the
 * same value by construction, and the message itself stays the record of truth.
 *
 * Which fields: chosen per segment when it is written (seal, compaction) from a sample of 4,096 of
 * its events, keeping the fields that are cheap to store: present in at least 5% of the sample, short,
 * and numbers (or numerals in strings), booleans or values that repeat (at most a quarter distinct:
 * levels, service names, message templates). Unique values (request ids, timestamps) stay in the message only: as columns
 * they would cost nearly their full size again. At most MAX_FIELDS per segment, as columns `j0`, `j1`,
 * ...; the catalog records each segment's paths (Segment.fields, index = column number).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Db } from './db.js';
import { quoteLiteral } from './db.js';
import { jsonOffsetSql } from './json-offset.js';

export const MAX_FIELDS = 16;
/**
 * Parquet's dictionary limit for segments, in entries per row group: shredded fields (levels, names,
 * templates) get dictionaries, which DuckDB reads 2-3 times faster than plain strings, while columns of
 * unique values (messages, seq, timestamps) give up after 4,096 entries instead of building a
 * 16,384-entry dictionary first. On the benchmark's logs: 45.2 bytes per event, against 47.6 without
 * dictionaries and 55.0 with a limit above the row group's size.
 */
export const DICTIONARY_ENTRIES = 4096;
/** Events per group that the choice looks at. */
export const SAMPLE_EVENTS = 4096;
const MIN_SHARE = 0.05;
const MIN_COUNT = 8;
const MAX_DISTINCT_SHARE = 0.25;
const MAX_AVG_CHARS = 64;

/**
 * Keys shredded: plain identifiers only, so that the path is one key (Logs Insights reads `a.b` as
 * nested and `a.0` as an index) and so that a key can be spelled inside SQL text without escaping.
 */
const SHREDDABLE_KEY = '^[A-Za-z_@][A-Za-z0-9_@-]{0,63}$';

/** One step of a JSON path for an object key: `."key"`, with `"` and `\` escaped. */
export const jsonKeyStep = (key: string): string => `."${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** The JSON document of a message whose JSON starts at `joff` (json-offset.ts), or NULL. */
export const jsonDocSql = (msg: string, joff: string): string =>
  `CASE WHEN ${joff} = 0 THEN ${msg} WHEN ${joff} > 0 THEN substr(${msg}, ${joff} + 1) END`;

/**
 * The shredded fields to write for each group in `source` (a relation with columns g and message),
 * chosen from SAMPLE_EVENTS of its events per group (no sort: any events of the segment will do):
 * paths like `$."level"`, most frequent first.
 */
export async function chooseFields(db: Db, conn: DuckDBConnection, source: string): Promise<Map<number, string[]>> {
  const rows = await db.all(
    `WITH smp AS (SELECT g, message FROM ${source} QUALIFY row_number() OVER (PARTITION BY g) <= ${SAMPLE_EVENTS}),
     total AS (SELECT g, count(*) AS n FROM smp GROUP BY g),
     docs AS (SELECT g, ${jsonDocSql('message', `(${jsonOffsetSql('message')})`)} AS doc FROM smp),
     keys AS (SELECT g, doc, unnest(json_keys(doc)) AS key FROM docs WHERE doc IS NOT NULL),
     vals AS (SELECT g, key, json_extract_string(doc, '$."' || key || '"') AS v, json_type(doc, '$."' || key || '"') AS t
              FROM keys WHERE regexp_full_match(key, ${quoteLiteral(SHREDDABLE_KEY)}))
     SELECT vals.g, key, count(*) AS n, approx_count_distinct(v) AS d, avg(strlen(coalesce(v, ''))) AS chars,
            bool_and(t IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN', 'NULL') OR (t = 'VARCHAR' AND strlen(v) <= 24 AND TRY_CAST(v AS DOUBLE) IS NOT NULL)) AS scalar, any_value(total.n) AS sampled
     FROM vals JOIN total USING (g) GROUP BY vals.g, key ORDER BY vals.g, n DESC, key`,
    [],
    conn,
  );
  const out = new Map<number, string[]>();
  for (const r of rows) {
    const g = Number(r.g);
    const n = Number(r.n);
    if (n < MIN_COUNT || n < MIN_SHARE * Number(r.sampled) || Number(r.chars) > MAX_AVG_CHARS) continue;
    if (!r.scalar && Number(r.d) > MAX_DISTINCT_SHARE * n) continue;
    let list = out.get(g);
    if (!list) out.set(g, (list = []));
    if (list.length < MAX_FIELDS) list.push(`$${jsonKeyStep(String(r.key))}`);
  }
  return out;
}

/** SQL of the list of shredded values of the document `doc` for `paths` (constants we chose). */
export function extractListSql(doc: string, paths: readonly string[]): string {
  return `json_extract_string(${doc}, [${paths.map(quoteLiteral).join(', ')}])`;
}

/**
 * The JSON fields a query reads from the event relation: paths (column `__j<k>` holds path k-1), and
 * prefilters: SQL over `__msg` that every event must pass for a condition on path `path` (an index into
 * `paths`) to hold, worth testing only where that field is extracted from the message (column
 * `__pf<n>` holds prefilter n-1; `true` where the field comes from a shredded column).
 */
export interface JsonFields {
  paths: readonly string[];
  prefilters: ReadonlyArray<{ path: number; sql: string }>;
}

export const NO_JSON_FIELDS: JsonFields = { paths: [], prefilters: [] };

/**
 * `relation` (columns __msg and __joff among others) with, for the paths of `fields` at indexes `ks`
 * (0-based), their values extracted from the message (one parse per event for all of them) as `__j<k+1>`.
 * `param` binds the paths.
 */
export function withExtractedFields(relation: string, fields: JsonFields, param: (v: string) => string, ks: readonly number[] = fields.paths.map((_, k) => k)): string {
  if (ks.length === 0) return relation;
  const list = `json_extract_string(${jsonDocSql('__msg', '__joff')}, [${ks.map((k) => `CAST(${param(fields.paths[k]!)} AS VARCHAR)`).join(', ')}])`;
  const columns = ks.map((k, i) => `__x[${i + 1}] AS __j${k + 1}`).join(', ');
  return `SELECT * EXCLUDE (__x), ${columns} FROM (SELECT *, ${list} AS __x FROM (${relation}))`;
}

/** The `__pf<n>` columns of `fields` for a relation whose field k is extracted when `extracted(k)`. */
export function prefilterColumns(fields: JsonFields, extracted: (k: number) => boolean): string {
  return fields.prefilters.map((p, n) => `, ${extracted(p.path) ? `(${p.sql})` : 'true'} AS __pf${n + 1}`).join('');
}

/** `relation` with every field of `fields` extracted from the message, and their prefilters. */
export function extractedRelation(relation: string, fields: JsonFields, param: (v: string) => string): string {
  if (fields.paths.length === 0) return relation;
  const filtered = fields.prefilters.length > 0 ? `SELECT *${prefilterColumns(fields, () => true)} FROM (${relation})` : relation;
  return withExtractedFields(filtered, fields, param);
}
