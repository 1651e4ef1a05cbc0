/**
 * The Logs Insights query language (Logs Insights QL, "CWLI"): the typed AST that the parser
 * (parse.ts) produces, the formatter (format.ts) prints back, and the compiler (compile.ts) turns
 * into DuckDB SQL. Every node carries its span in the query string, so that errors, syntactic and
 * semantic, can point at the characters they are about (MalformedQueryException's
 * queryCompileError.location).
 *
 * A query is an optional `SOURCE ...` clause followed by commands separated by `|`:
 *   SOURCE logGroups(namePrefix: ['/aws/lambda']) | filter @message like /ERROR/ | stats count(*) by bin(5m)
 */

/** Offsets into the query string: `start` inclusive, `end` exclusive (UTF-16 code units). */
export interface Span {
  start: number;
  end: number;
}

export interface Query {
  source: SourceClause | null;
  commands: Command[];
  span: Span;
}

/**
 * `SOURCE logGroups(namePrefix: ['a', 'b'], class: 'STANDARD')`, and the form CloudWatch itself
 * writes into DescribeQueries' queryString: `SOURCE "group" START=<ms> END=<ms>`.
 */
export interface SourceClause {
  /** Log group names given literally (`SOURCE "name"` or `SOURCE logGroups(logGroupIdentifier: [...])`). */
  names: string[];
  /** Name prefixes (`namePrefix: [...]`); a group is selected when its name starts with any of them. */
  namePrefixes: string[];
  /** `accountIdentifiers: ['111122223333']` (cross-account observability), when given; else empty. */
  accountIdentifiers: string[];
  /** `class: 'STANDARD' | 'INFREQUENT_ACCESS'` (or `class: ['INFREQUENT_ACCESS']`), when given. */
  logGroupClass: string | null;
  /** `dataSource(['amazon_vpc.flow', ...])`: only groups of one of these data sources, when given. */
  dataSources: string[];
  /** `logGroupTags([{key: 'k', values: ['v']}, ...])`: only groups with every key, each at one of its values (any value when none are listed). */
  tagFilters: TagFilter[];
  /** `START=` and `END=` in epoch milliseconds (written as ms or as an ISO 8601 time), when given. */
  startMs: number | null;
  endMs: number | null;
  /**
   * `START=-1h`, `END=0s`, `END=now`: relative times, in milliseconds from when the query runs
   * (negative is earlier), when given that way; at most one of startMs and startOffsetMs is set.
   */
  startOffsetMs: number | null;
  endOffsetMs: number | null;
  span: Span;
}

/** One `{key: 'k', values: ['a', 'b']}` of `SOURCE logGroupTags([...])`. */
export interface TagFilter {
  key: string;
  /** Empty: the group need only have the tag. */
  values: string[];
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** The static type of an expression, as the compiler tracks it (fields found in JSON are `dynamic`). */
export type ValueType = 'string' | 'number' | 'boolean' | 'timestamp' | 'dynamic';

/**
 * A field: a system field (`@timestamp`, `@message`, `@logStream`, `@log`, `@ingestionTime`, `@ptr`,
 * `@logGroup`...), one defined earlier in the query (`fields x as y`, `parse`, `stats ... as n`), or
 * one discovered in the event (JSON keys joined by dots, array elements by index: `a.b.0.c`).
 * `name` is the name with backquotes removed; `quoted` records whether it was written `` `like this` ``.
 */
export interface FieldRef {
  kind: 'field';
  name: string;
  quoted: boolean;
  span: Span;
}

export interface StringLiteral {
  kind: 'string';
  value: string;
  /** How it was written, so the formatter reproduces it. */
  quote: '"' | "'";
  span: Span;
}

export interface NumberLiteral {
  kind: 'number';
  value: number;
  /** The literal as written (`1e3`, `0.5`). */
  text: string;
  span: Span;
}

/** A time period: `5m` in `bin(5m)`, `datefloor(@timestamp, 1h)`. */
export type PeriodUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'mo' | 'q' | 'y';
export interface PeriodLiteral {
  kind: 'period';
  amount: number;
  unit: PeriodUnit;
  /** As written (`5m`, `1min`, `30sec`...): units accept AWS's spellings, normalized in `unit`. */
  text: string;
  span: Span;
}

/** `/regex/` (RE2 syntax); `(?i)` at its start makes it case-insensitive (kept in `pattern`). */
export interface RegexLiteral {
  kind: 'regex';
  pattern: string;
  span: Span;
}

/** `[1, 2, 3]`: the right-hand side of `in`. */
export interface ListLiteral {
  kind: 'list';
  items: Expr[];
  span: Span;
}

export type UnaryOp = '-' | 'not';

export interface Unary {
  kind: 'unary';
  op: UnaryOp;
  operand: Expr;
  span: Span;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type BinaryOp = ArithmeticOp | ComparisonOp | 'and' | 'or' | 'like' | 'not like' | '=~' | 'in' | 'not in';

export interface Binary {
  kind: 'binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
  /** Span of the operator token(s), for errors about the operation itself. */
  opSpan: Span;
  span: Span;
}

/** `name(args)`; `count(*)` has `star` set and no args. Function names are case-insensitive. */
export interface Call {
  kind: 'call';
  name: string;
  args: Expr[];
  star: boolean;
  nameSpan: Span;
  span: Span;
}

/**
 * `( <query> )` after `in` or `not in`: a nested query (its own SOURCE, else the outer query's groups)
 * whose results the condition tests against (AWS: subqueries). Never nested further.
 */
export interface Subquery {
  kind: 'subquery';
  query: Query;
  span: Span;
}

export type Expr = FieldRef | StringLiteral | NumberLiteral | PeriodLiteral | RegexLiteral | ListLiteral | Unary | Binary | Call | Subquery;

// ---------------------------------------------------------------------------------------------
// Commands

/** `expr` or `expr as alias` in `fields`, `display`, `stats`. */
export interface Projection {
  expr: Expr;
  alias: string | null;
  span: Span;
}

export interface FieldsCommand {
  kind: 'fields';
  items: Projection[];
  span: Span;
}

/** `display a, b`: which fields the results show (the last `display` wins). */
export interface DisplayCommand {
  kind: 'display';
  items: Projection[];
  span: Span;
}

/** `filter expr`; AWS's alias `where expr` parses to the same node. */
export interface FilterCommand {
  kind: 'filter';
  expr: Expr;
  span: Span;
}

/** `stats count(*) as n, avg(x) by bin(5m), @logStream`. */
export interface StatsCommand {
  kind: 'stats';
  aggregations: Projection[];
  by: Projection[];
  /**
   * `stats ... by bin(5m) offset 1h` (AWS's time-series functions page): the statistics of the range
   * that far back, their bins moved forward by it (absent when not written).
   */
  offset?: PeriodLiteral;
  span: Span;
}

export interface SortKey {
  /** A field (AWS rejects expressions here: `sort bin(1d)` is "unexpected symbol found ("). */
  expr: Expr;
  descending: boolean;
  /** Whether `asc`/`desc` was written (the formatter keeps what the user wrote). */
  explicit: boolean;
  span: Span;
}

export interface SortCommand {
  kind: 'sort';
  keys: SortKey[];
  span: Span;
}

export interface LimitCommand {
  kind: 'limit';
  count: number;
  /** `limit any 5`: stop as soon as that many events match, in no particular order (absent otherwise). */
  any?: boolean;
  span: Span;
}

/**
 * `parse @message "* [*] *" as a, b, c` (glob: each `*` captures one field, in order) or
 * `parse @message /(?<user>\S+) logged in/` (regex: named groups become fields, or the capture groups
 * take the names after `as`). AWS's third mode, `parse @message logfmt as lf`, gives one field holding
 * the line's key=value pairs (`lf.level`); the fourth, `parse @message csv as a, b`, gives one field per
 * comma-separated value.
 */
export interface ParseCommand {
  kind: 'parse';
  /**
   * The field parsed. AWS: "If fieldName is omitted, @message is used by default"; then this is
   * `@message` with an empty span at the pattern's start.
   */
  field: Expr;
  pattern:
    | { kind: 'glob'; text: string; quote: '"' | "'"; span: Span }
    /**
     * With `multi` after it: every match of the regex, one row each (commands/parse.ts). `aliased`: the
     * names came after `as` (`parse @message /(\d+)/ as n multi`) and go to the capture groups in order.
     */
    | { kind: 'regex'; pattern: string; multi: boolean; aliased: boolean; span: Span }
    /** `parse @message logfmt as lf`: key=value pairs, read as `lf.key`. */
    | { kind: 'logfmt'; span: Span }
    /** `parse @message csv as a, b`: the n-th comma-separated value (RFC 4180 quotes) in the n-th name. */
    | { kind: 'csv'; span: Span };
  /** The `as` names (for a regex without `as`, its named groups). */
  names: string[];
  span: Span;
}

/**
 * `json field=payload "user.name" as username`: a member of the JSON that a field holds (AWS's "JSON
 * field extraction", on the parse page), by a dotted key path; a number in the path indexes a list.
 */
export interface JsonCommand {
  kind: 'json';
  field: FieldRef;
  path: string;
  quote: '"' | "'";
  alias: string;
  span: Span;
}

/** `dedup a, b`: keeps the first row (in the current sort order) of each distinct combination. */
export interface DedupCommand {
  kind: 'dedup';
  fields: FieldRef[];
  span: Span;
}

/** `pattern @message`: clusters values into templates (@pattern, @ratio, @sampleCount, ...). */
export interface PatternCommand {
  kind: 'pattern';
  field: Expr;
  span: Span;
}

export type DiffPeriod = 'previous' | 'previousDay' | 'previousWeek' | 'previousMonth';

/** `diff`, `diff previousDay`...: compares with the same query over an earlier period. */
export interface DiffCommand {
  kind: 'diff';
  period: DiffPeriod;
  span: Span;
}

/** `unmask @message`: shows content a data protection policy masked (needs logs:Unmask). */
export interface UnmaskCommand {
  kind: 'unmask';
  field: Expr;
  span: Span;
}

/**
 * `unnest js.events into event`: one row for each element of a list (a map or any other value counts as
 * a list of one); each row keeps the other fields of the original (commands/unnest.ts).
 */
export interface UnnestCommand {
  kind: 'unnest';
  field: FieldRef;
  /** The field each row holds its element in. */
  into: string;
  span: Span;
}

/**
 * `addtotals [fieldname=Name] [row=bool] [col=bool] [f1, f2, ...]`: a row total field (default name
 * `Total`) and, with col=true, a summary row of column totals (commands/addtotals.ts). Options are
 * null when not written (the formatter keeps what the user wrote).
 */
export interface AddTotalsCommand {
  kind: 'addtotals';
  fieldName: string | null;
  row: boolean | null;
  col: boolean | null;
  /** The fields to sum; empty: every numeric field shown. */
  fields: FieldRef[];
  span: Span;
}

/**
 * `expand items`: one row for each element of the JSON array the field holds, the element in place of
 * the array and every other field repeated (unnest into the same name; commands/unnest.ts).
 */
export interface ExpandCommand {
  kind: 'expand';
  field: FieldRef;
  span: Span;
}

/**
 * `lookup user_data id as userId, region OUTPUT name, email`: adds the table's OUTPUT columns to each
 * event whose match fields equal a row's (exact, case-sensitive); `tableField as logField` matches a
 * column against a log field of another name. (CWL_QuerySyntax-Lookup.)
 */
export interface LookupCommand {
  kind: 'lookup';
  table: FieldRef;
  keys: Array<{ tableField: FieldRef; logField: FieldRef | null; span: Span }>;
  outputs: FieldRef[];
  span: Span;
}

/**
 * `join type=inner left=api right=lambda where api.requestId=lambda.requestId (SOURCE 'g' | ...)`:
 * pairs each row with the rows of a nested query whose keys are equal (`left` also keeps rows without
 * a match). Afterwards `api.x` is the row's own field x and `lambda.x` the nested query's.
 */
export interface JoinCommand {
  kind: 'join';
  type: 'inner' | 'left';
  /** Whether `type=` was written (the formatter keeps what the user wrote). */
  typeWritten: boolean;
  left: string;
  right: string;
  /** `where a.x=b.y and a.z=b.w`: the fields as written (each qualified by one of the aliases). */
  on: Array<{ left: FieldRef; right: FieldRef }>;
  query: Query;
  span: Span;
}

/**
 * `filterIndex field = value` or `filterIndex field in [v1, v2]`: the events whose indexed field has
 * that value, read only from the log groups that index the field, and only events ingested while they
 * did (store/index-policies.ts). `condition` is the same comparison `filter` would make.
 */
export interface FilterIndexCommand {
  kind: 'filterIndex';
  field: FieldRef;
  condition: Binary;
  span: Span;
}

/** `anomaly` after `pattern`: flags the patterns whose behaviour over the query's range is unusual (pattern/anomaly.ts). */
export interface AnomalyCommand {
  kind: 'anomaly';
  span: Span;
}

/**
 * `accum bytes [AS total]`: the running sum of a numeric field over the rows in their current order
 * (commands/accum.ts). Without AS the field itself takes the running sum.
 */
export interface AccumCommand {
  kind: 'accum';
  field: FieldRef;
  alias: string | null;
  span: Span;
}

/**
 * `autoregress bytes [AS prev] [p=N[-M]]`: copies of a field's value from the rows N (to M) before,
 * in the current order, as `bytes_pN` (or the alias, for a single lag) (commands/autoregress.ts).
 * `lags` is null when p= was not written (lag 1).
 */
export interface AutoregressCommand {
  kind: 'autoregress';
  field: FieldRef;
  alias: string | null;
  lags: { from: number; to: number | null } | null;
  span: Span;
}

/** A name with `*` wildcards in `filldown cpu*`: the pattern as written. */
export interface FieldPattern {
  kind: 'wildcard';
  pattern: string;
  span: Span;
}

/**
 * `filldown [f1 [f2 ...]]`: a row without a field takes the last value the field had in an earlier row
 * (current order); names may have `*` wildcards; no names: every field shown (commands/filldown.ts).
 */
export interface FilldownCommand {
  kind: 'filldown';
  fields: Array<FieldRef | FieldPattern>;
  span: Span;
}

/**
 * `fillmissing [with 0 for avg_latency, ...]` after `stats ... by bin()`: rows for the bins without
 * data between the first and the last, with the given constants in the named fields (commands/fillmissing.ts).
 */
export interface FillmissingCommand {
  kind: 'fillmissing';
  fills: Array<{ value: StringLiteral | NumberLiteral; field: FieldRef; span: Span }>;
  span: Span;
}

/**
 * `countFrequent method, status` (also `count_frequent`): one row per combination of the fields' values
 * with its count in `_approxcount`, most frequent first (commands/count-frequent.ts). `name` keeps the
 * spelling written.
 */
export interface CountFrequentCommand {
  kind: 'countFrequent';
  name: 'countFrequent' | 'count_frequent';
  fields: FieldRef[];
  span: Span;
}

/**
 * `sessionize userId, deviceId [maxspan 1h] [AS my_session]`: numbers the sessions of each identity,
 * a new one after more than maxspan (default 30m) without events, into `session_id` or the alias
 * (commands/sessionize.ts).
 */
export interface SessionizeCommand {
  kind: 'sessionize';
  fields: FieldRef[];
  maxspan: PeriodLiteral | null;
  alias: string | null;
  span: Span;
}

/**
 * `logcompare timeshift 7d` (CWL_QuerySyntax-Logcompare): the same comparison as `diff` (patterns of
 * this range against the baseline), the baseline being the query's range shifted back by `shift`.
 */
export interface LogCompareCommand {
  kind: 'logcompare';
  shift: PeriodLiteral;
  span: Span;
}

/**
 * `cidrlookup net_table srcAddr [AS cidr] OUTPUT|OUTPUTNEW region [AS r], owner` (CWL_QuerySyntax-Cidrlookup):
 * adds the columns of the lookup table's row whose CIDR range holds the address in `ipField` (the most
 * specific range wins). OUTPUTNEW only fills fields the event does not have (commands/cidrlookup.ts).
 */
export interface CidrLookupCommand {
  kind: 'cidrlookup';
  table: FieldRef;
  ipField: FieldRef;
  /** The table's column of CIDR ranges (`AS cidrColumn`), when written. */
  cidrColumn: FieldRef | null;
  /** `OUTPUTNEW`: keep a value the event already has. */
  outputNew: boolean;
  outputs: Array<{ tableField: FieldRef; eventField: FieldRef | null; span: Span }>;
  span: Span;
}

/**
 * `outlier [action=remove|transform] [param=n] [uselower=bool] [mark=bool] f1 f2 ...`
 * (CWL_QuerySyntax-Outlier): values beyond the interquartile fences are removed (their rows) or clamped
 * (commands/outlier.ts). Options are null when not written (the formatter keeps what the user wrote).
 */
export interface OutlierCommand {
  kind: 'outlier';
  action: 'remove' | 'transform' | null;
  /** `param=`, as written (`3.0`). */
  param: NumberLiteral | null;
  uselower: boolean | null;
  mark: boolean | null;
  fields: FieldRef[];
  span: Span;
}

/**
 * `appendcols [override=bool] [max=n] ( <query> )` (CWL_QuerySyntax-Appendcols): the nested query's
 * fields added to the rows by position, its first row to the first row (commands/appendcols.ts).
 */
export interface AppendColsCommand {
  kind: 'appendcols';
  override: boolean | null;
  max: number | null;
  query: Query;
  span: Span;
}

/**
 * `relevantfields [f1, f2, ...] where <condition>` (CWL_QuerySyntax-RelevantFields): which fields tell
 * the rows that meet the condition from the others, one row per field with a relevance score from 0 to
 * 1 (commands/relevantfields.ts). No fields: every field of the events.
 */
export interface RelevantFieldsCommand {
  kind: 'relevantfields';
  fields: FieldRef[];
  condition: Expr;
  span: Span;
}

export type Command =
  | RelevantFieldsCommand
  | AccumCommand
  | AutoregressCommand
  | FilldownCommand
  | FillmissingCommand
  | CountFrequentCommand
  | SessionizeCommand
  | JoinCommand
  | FilterIndexCommand
  | AnomalyCommand
  | FieldsCommand
  | DisplayCommand
  | FilterCommand
  | StatsCommand
  | SortCommand
  | LimitCommand
  | ParseCommand
  | JsonCommand
  | DedupCommand
  | PatternCommand
  | DiffCommand
  | UnmaskCommand
  | UnnestCommand
  | ExpandCommand
  | AddTotalsCommand
  | LookupCommand
  | LogCompareCommand
  | CidrLookupCommand
  | OutlierCommand
  | AppendColsCommand;

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * A query the user got wrong, syntactically or semantically: what was expected, and where. The API
 * answers it as MalformedQueryException with queryCompileError.location = span and message.
 */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    message: string,
    readonly span: Span,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
