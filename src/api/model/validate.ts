/**
 * Request validation against the CloudWatch Logs service model, answering as real AWS (Coral) does.
 *
 * validateRequest walks the parsed JSON body once, depth-first, members in model declaration order:
 * - A value of the wrong JSON type, a number outside its model type (integer: 32-bit, long: 64-bit, no
 *   fractions) or an unknown member is a SerializationException, thrown at once: AWS deserializes the
 *   whole body before it validates, so these win over constraint violations.
 * - Constraint violations (required, length, range, pattern, enum) are collected over the whole body and
 *   thrown together, "2 validation errors detected: Value 'a' at 'x' failed to satisfy constraint: ...; ...",
 *   as InvalidParameterException, or ValidationException for operations that declare only that (see
 *   OperationSpec). `null` members count as absent, as in AWS's JSON protocols.
 *
 * Paths and element constraints follow Coral's format, as AWS services answer it (the tests quote
 * the recorded answers this is taken from):
 * - structure members join with `.`: `metricTransformations`, `entity.keyAttributes`;
 * - list elements are `<list>.<1-based index>.member`: `logEvents.1.member.timestamp`;
 * - map values are `<map>.<key>.member` (DynamoDB: `requestItems.<table>.member.1.member.putRequest.item`);
 * - constraints on the elements themselves are not reported per element but once per collection, at the
 *   collection's path with the whole collection as the value, listing every constraint of the element
 *   shape: `Value '[a, ]' at 'logGroupNames' failed to satisfy constraint: Member must satisfy constraint:
 *   [Member must have length less than or equal to 512, ...]`; for maps `Map keys must satisfy
 *   constraint: [...]` and `Map value must satisfy constraint: [...]`.
 *
 * Unknown members: real AWS may ignore members its model does not know (so newer clients work against
 * older servers); Logward rejects them, so a misspelt parameter is an error instead of silently dropped.
 *
 * Speed: PutLogEvents carries up to 10,000 events at 100,000 events/s. Each shape is compiled on first use
 * into closures (regular expressions too, once per pattern); on the success path a call allocates nothing:
 * it reuses one path stack, and messages are built only once something has failed.
 */
import { ApiError, MESSAGES } from '../errors.js';
import { OPERATIONS, SHAPES } from './generated/logs-shapes.js';
import { OPERATIONS as MONITORING_OPERATIONS, SHAPES as MONITORING_SHAPES } from './generated/monitoring-shapes.js';
import { compileJavaPattern } from './java-regex.js';
import { formatJavaValue, type JavaFormat } from './java-value.js';
import type { OperationSpec, ShapeSpec, StructureShapeSpec, ValidationErrorCode } from './types.js';

// ---- What real CloudWatch Logs answers that the model alone does not predict ----
// (recorded in test/fixtures/aws-recorded-responses; keyed by shape name)

/**
 * A structure member holding a log group or log stream name that is too long gets this fixed message
 * instead of the generic one, and it wins over every other violation in the request. Recorded for
 * CreateLogGroup.logGroupName (test_logs_groups) and DeleteMetricFilter.logGroupName
 * (test_logs_metric_filters), while DeleteMetricFilter.filterName and DescribeMetricFilters.filterNamePrefix
 * (also 512 long) get the generic message: the rule follows the name shape, so it applies to every member
 * targeting LogGroupName or LogStreamName (prefix members included).
 */
const MAX_LENGTH_MESSAGES: Readonly<Record<string, string>> = {
  LogGroupName: MESSAGES.nameTooLong,
  LogStreamName: MESSAGES.nameTooLong,
};

/** Enum order in messages where the service's differs from the model's (test_logs_delivery: PutDeliveryDestination). */
const ENUM_MESSAGE_ORDER: Readonly<Record<string, readonly string[]>> = {
  OutputFormat: ['w3c', 'raw', 'json', 'plain', 'parquet'],
};

/** Printed member order where the service's class differs from the model (test_logs_metric_filters). */
const STRUCTURE_PRINT_ORDER: Readonly<Record<string, readonly string[]>> = {
  MetricTransformation: ['metricName', 'metricNamespace', 'metricValue', 'defaultValue', 'unit', 'dimensions'],
};

// ---- Per-call state ----

/** A map value's path segment, printed `member` after the key. */
const MAP_VALUE = Symbol('map value');
/** Member names and map keys; numbers are 0-based list indexes. */
type Segment = string | number | typeof MAP_VALUE;

interface Violation {
  readonly path: string;
  /** undefined: the member was absent, printed `null`. */
  readonly value: unknown;
  readonly shape: string;
  readonly constraint: string;
}

interface Ctx {
  readonly path: Segment[];
  violations: Violation[] | undefined;
  /** Set by a MAX_LENGTH_MESSAGES rule; replaces the collected message. */
  override: string | undefined;
}

// ---- Compiled shapes ----

interface Constraint {
  readonly ok: (value: never) => boolean;
  readonly text: string;
  readonly override?: string;
}

interface Node {
  readonly shape: string;
  /** Throws SerializationException unless `value` (not null) has the JSON type the shape needs. */
  readonly checkType: (value: unknown, ctx: Ctx) => void;
  /** The shape's own constraints, in message order: length/value max, min, pattern, enum. */
  readonly constraints: readonly Constraint[];
  /** All constraint texts, for "Member must satisfy constraint: [...]". */
  readonly allText: string;
  /** Validates the children of a type-checked list, map or structure. */
  readonly walk: ((value: never, ctx: Ctx) => void) | undefined;
}

interface CompiledOperation {
  readonly root: Node;
  readonly code: ValidationErrorCode;
}

/**
 * A validator over a table of shapes and operations, compiled lazily: an operation's shapes on its first
 * request. validateRequest is the one over the CloudWatch Logs model; tests build others.
 */
export class ModelValidator {
  private readonly nodes = new Map<string, Node>();
  private readonly operations = new Map<string, CompiledOperation>();
  private readonly compiling = new Set<string>();
  private readonly format: JavaFormat;
  /** One context for every call: validation is synchronous, so calls never interleave. */
  private readonly ctx: Ctx = { path: [], violations: undefined, override: undefined };

  constructor(
    private readonly shapes: Readonly<Record<string, ShapeSpec>>,
    private readonly operationSpecs: Readonly<Record<string, OperationSpec>>,
    /** How a member is named in a violation's path (CloudWatch's Coral names them in lowerCamelCase). */
    private readonly pathName: (member: string) => string = (m) => m,
  ) {
    this.format = { shapes, memberOrder: STRUCTURE_PRINT_ORDER };
  }

  validate(operation: string, input: unknown): void {
    const op = this.operations.get(operation) ?? this.compileOperation(operation);
    const ctx = this.ctx;
    // Balanced pushes and pops leave it empty; only a throw leaves segments behind. (Setting length to 0
    // unconditionally would free the array's storage, and the next push would allocate it again.)
    if (ctx.path.length !== 0) ctx.path.length = 0;
    ctx.violations = undefined;
    ctx.override = undefined;
    checkValue(op.root, input, ctx);
    if (ctx.override !== undefined) throw new ApiError(op.code, ctx.override);
    if (ctx.violations !== undefined) throw new ApiError(op.code, violationMessage(ctx.violations, this.format));
  }

  private compileOperation(operation: string): CompiledOperation {
    const spec = Object.hasOwn(this.operationSpecs, operation) ? this.operationSpecs[operation] : undefined;
    if (spec === undefined) throw new ApiError('UnknownOperationException', `Unknown operation ${operation}`);
    const root =
      spec.input !== undefined
        ? this.node(spec.input)
        : this.compile(`${operation}Request`, { type: 'structure', members: {} });
    const compiled = { root, code: spec.validationError };
    this.operations.set(operation, compiled);
    return compiled;
  }

  private node(shape: string): Node {
    const found = this.nodes.get(shape);
    if (found !== undefined) return found;
    const spec = Object.hasOwn(this.shapes, shape) ? this.shapes[shape] : undefined;
    if (spec === undefined) throw new Error(`validate: no shape ${shape}`);
    if (this.compiling.has(shape)) throw new Error(`validate: recursive shape ${shape}`);
    this.compiling.add(shape);
    const compiled = this.compile(shape, spec);
    this.compiling.delete(shape);
    this.nodes.set(shape, compiled);
    return compiled;
  }

  /**
   * Children compile before their parent. Input shapes are acyclic (the generator refuses recursion), which
   * also bounds how deep validation recurses, whatever the body.
   */
  private compile(shape: string, spec: ShapeSpec): Node {
    const constraints = constraintsOf(shape, spec);
    return {
      shape,
      checkType: typeCheck(spec),
      constraints,
      allText: constraints.map((c) => c.text).join(', '),
      walk:
        spec.type === 'structure'
          ? structureWalk(shape, spec, Object.values(spec.members).map((m) => this.node(m)), this.pathName)
          : spec.type === 'list'
            ? listWalk(shape, this.node(spec.member))
            : spec.type === 'map'
              ? mapWalk(shape, this.node(spec.key), this.node(spec.value))
              : undefined,
    };
  }
}

const logs = new ModelValidator(SHAPES, OPERATIONS);

/**
 * Validates an operation's parsed JSON body (pass `{}` for an empty body) against the CloudWatch Logs
 * model; returns normally when it is valid, else throws ApiError as described above. An unknown
 * operation is UnknownOperationException.
 */
export function validateRequest(operation: string, input: unknown): void {
  logs.validate(operation, input);
}

const monitoring = new ModelValidator(MONITORING_SHAPES, MONITORING_OPERATIONS, (m) => m.charAt(0).toLowerCase() + m.slice(1));

/** validateRequest for the CloudWatch (metrics and alarms) model: constraint violations are ValidationException. */
export function validateMonitoringRequest(operation: string, input: unknown): void {
  monitoring.validate(operation, input);
}

/** A structure member's or the body's value: type, then each violated constraint, then children. */
function checkValue(n: Node, value: unknown, c: Ctx): void {
  n.checkType(value, c);
  const cs = n.constraints;
  for (let i = 0; i < cs.length; i++) {
    const k = cs[i]!;
    if (!k.ok(value as never)) {
      if (k.override !== undefined) c.override ??= k.override;
      else violate(c, value, n.shape, k.text);
    }
  }
  if (n.walk !== undefined) n.walk(value as never, c);
}

function allOk(cs: readonly Constraint[], value: unknown): boolean {
  for (let i = 0; i < cs.length; i++) if (!cs[i]!.ok(value as never)) return false;
  return true;
}

/** `targets`: the compiled member shapes, in member order. */
function structureWalk(
  shape: string,
  spec: StructureShapeSpec,
  targets: readonly Node[],
  pathName: (member: string) => string,
): (obj: Record<string, unknown>, c: Ctx) => void {
  const required = new Set(spec.required ?? []);
  const members = Object.keys(spec.members).map((name, i) => ({
    name,
    label: pathName(name),
    node: targets[i]!,
    required: required.has(name),
  }));
  const known = new Set(Object.keys(spec.members));
  const union = spec.union === true;
  return (obj, c) => {
    // A key whose value is undefined cannot come from JSON; like a null member, it is treated as absent.
    for (const key in obj) if (!known.has(key) && obj[key] !== undefined) throw unknownMember(c, key, shape);
    let set = 0;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      const v = obj[m.name];
      c.path.push(m.label);
      if (v === undefined || v === null) {
        if (m.required) violate(c, undefined, m.node.shape, 'Member must not be null');
      } else {
        set++;
        checkValue(m.node, v, c);
      }
      c.path.pop();
    }
    if (union && set !== 1) throw serialization(`Union ${shape}${at(c)} must have exactly one member set, got ${set}`);
  };
}

function listWalk(shape: string, el: Node): (list: unknown[], c: Ctx) => void {
  const cs = el.constraints;
  const text = `Member must satisfy constraint: [${el.allText}]`;
  return (list, c) => {
    let failed = false;
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      c.path.push(i);
      if (v === null || v === undefined) throw serialization(`Null element at '${pathText(c.path)}'`);
      el.checkType(v, c);
      c.path.pop();
      if (!failed && cs.length > 0 && !allOk(cs, v)) failed = true;
    }
    if (failed) violate(c, list, shape, text);
    if (el.walk === undefined) return;
    for (let i = 0; i < list.length; i++) {
      c.path.push(i);
      el.walk(list[i] as never, c);
      c.path.pop();
    }
  };
}

function mapWalk(shape: string, key: Node, value: Node): (map: Record<string, unknown>, c: Ctx) => void {
  const keyText = `Map keys must satisfy constraint: [${key.allText}]`;
  const valueText = `Map value must satisfy constraint: [${value.allText}]`;
  return (map, c) => {
    let keyFailed = false;
    let valueFailed = false;
    for (const k in map) {
      const v = map[k];
      c.path.push(k, MAP_VALUE);
      if (v === null || v === undefined) throw serialization(`Null map value at '${pathText(c.path)}'`);
      value.checkType(v, c);
      c.path.pop();
      c.path.pop();
      if (!keyFailed && !allOk(key.constraints, k)) keyFailed = true;
      if (!valueFailed && !allOk(value.constraints, v)) valueFailed = true;
    }
    if (keyFailed) violate(c, map, shape, keyText);
    if (valueFailed) violate(c, map, shape, valueText);
    if (value.walk === undefined) return;
    for (const k in map) {
      c.path.push(k, MAP_VALUE);
      value.walk(map[k] as never, c);
      c.path.pop();
      c.path.pop();
    }
  };
}

// ---- Types ----

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2 ** 63);
/** 2^63 itself is out of range; every double below it is a valid long. */
const LONG_LIMIT = 2 ** 63;
const FLOAT_MAX = 3.4028234663852886e38;

function typeCheck(spec: ShapeSpec): (value: unknown, c: Ctx) => void {
  switch (spec.type) {
    case 'string':
    case 'blob':
      return (v, c) => {
        if (typeof v !== 'string') throw typeError(c, spec.type, v);
      };
    case 'boolean':
      return (v, c) => {
        if (typeof v !== 'boolean') throw typeError(c, 'boolean', v);
      };
    case 'integer':
      return (v, c) => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < INT_MIN || v > INT_MAX) {
          throw typeError(c, 'integer', v);
        }
      };
    case 'long':
      return (v, c) => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < LONG_MIN || v >= LONG_LIMIT) {
          throw typeError(c, 'long', v);
        }
      };
    case 'float':
      return (v, c) => {
        if (typeof v !== 'number' || !(Math.abs(v) <= FLOAT_MAX)) throw typeError(c, 'float', v);
      };
    case 'double':
    case 'timestamp':
      return (v, c) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError(c, spec.type, v);
      };
    case 'list':
      return (v, c) => {
        if (!Array.isArray(v)) throw typeError(c, 'list', v);
      };
    case 'map':
    case 'structure':
      return (v, c) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw typeError(c, spec.type, v);
      };
  }
}

// ---- Constraints ----

function constraintsOf(shape: string, spec: ShapeSpec): Constraint[] {
  if (spec.type === 'structure' || spec.type === 'boolean') return [];
  const out: Constraint[] = [];
  const { min, max } = spec;
  const numeric = spec.type !== 'string' && spec.type !== 'blob' && spec.type !== 'list' && spec.type !== 'map';
  const what = numeric ? 'value' : 'length';
  if (max !== undefined) {
    const override = MAX_LENGTH_MESSAGES[shape];
    out.push({
      ok: numeric ? (v: number) => v <= max : maxLength(spec.type, max),
      text: `Member must have ${what} less than or equal to ${max}`,
      ...(override !== undefined && !numeric ? { override } : {}),
    });
  }
  if (min !== undefined) {
    out.push({
      ok: numeric ? (v: number) => v >= min : minLength(spec.type, min),
      text: `Member must have ${what} greater than or equal to ${min}`,
    });
  }
  if (spec.type === 'string' && spec.pattern !== undefined) {
    const pattern = spec.pattern;
    let re: RegExp | undefined;
    out.push({
      ok: (v: string) => (re ??= compileJavaPattern(pattern)).test(v),
      text: `Member must satisfy regular expression pattern: ${pattern}`,
    });
  }
  if (spec.type === 'string' && spec.enum !== undefined) {
    const values = new Set(spec.enum);
    const order = ENUM_MESSAGE_ORDER[shape];
    const sameSet = order !== undefined && order.length === values.size && order.every((e) => values.has(e));
    out.push({
      ok: (v: string) => values.has(v),
      text: `Member must satisfy enum value set: [${(sameSet ? order : spec.enum).join(', ')}]`,
    });
  }
  return out;
}

type Sized = 'string' | 'blob' | 'list' | 'map';

/** Strings are measured in code points, as Smithy defines length; only long or short strings are counted. */
function maxLength(type: Sized, max: number): (v: never) => boolean {
  switch (type) {
    case 'string':
      return (v: string) => v.length <= max || codePoints(v) <= max;
    case 'blob':
      return (v: string) => Buffer.byteLength(v, 'base64') <= max;
    case 'list':
      return (v: unknown[]) => v.length <= max;
    case 'map':
      return (v: Record<string, unknown>) => countKeys(v) <= max;
  }
}

function minLength(type: Sized, min: number): (v: never) => boolean {
  switch (type) {
    case 'string':
      return (v: string) => v.length >= 2 * min || codePoints(v) >= min;
    case 'blob':
      return (v: string) => Buffer.byteLength(v, 'base64') >= min;
    case 'list':
      return (v: unknown[]) => v.length >= min;
    case 'map':
      return (v: Record<string, unknown>) => countKeys(v) >= min;
  }
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function countKeys(o: Record<string, unknown>): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

// ---- Errors (failure path only) ----

function violate(c: Ctx, value: unknown, shape: string, constraint: string): void {
  (c.violations ??= []).push({ path: pathText(c.path), value, shape, constraint });
}

function violationMessage(violations: readonly Violation[], format: JavaFormat): string {
  const parts = violations.map((v) => {
    const value = v.value === undefined ? 'null' : `'${formatJavaValue(v.value, v.shape, format)}'`;
    return `Value ${value} at '${v.path}' failed to satisfy constraint: ${v.constraint}`;
  });
  const n = parts.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`;
}

function pathText(path: readonly Segment[]): string {
  return path.map((s) => (typeof s === 'number' ? `${s + 1}.member` : s === MAP_VALUE ? 'member' : s)).join('.');
}

function serialization(message: string): ApiError {
  return new ApiError('SerializationException', message);
}

function typeError(c: Ctx, expected: string, v: unknown): ApiError {
  const where = c.path.length === 0 ? 'the request body' : `'${pathText(c.path)}'`;
  return serialization(`Unexpected value type for ${where}: expected ${expected}, got ${describe(v, expected)}`);
}

function unknownMember(c: Ctx, key: string, shape: string): ApiError {
  return serialization(`Unknown member '${key}' in ${shape}${at(c)}`);
}

/** ` at '<path>'`, or nothing at the top level. */
function at(c: Ctx): string {
  return c.path.length === 0 ? '' : ` at '${pathText(c.path)}'`;
}

/** What came instead: the JSON type, or for a number of a numeric shape, why it does not fit. */
function describe(v: unknown, expected: string): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v !== 'number' || !NUMERIC.has(expected)) return typeof v;
  if (!Number.isFinite(v)) return `number ${v}`;
  if ((expected === 'integer' || expected === 'long') && !Number.isInteger(v)) return `non-integral number ${v}`;
  return `number ${v}, outside the ${expected} range`;
}

const NUMERIC = new Set(['integer', 'long', 'float', 'double', 'timestamp']);
