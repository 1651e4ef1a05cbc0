/**
 * Smithy RPC v2 CBOR (`smithy-rpc-v2-cbor`), the first of the protocols CloudWatch's model lists, which
 * newer SDKs may choose over awsJson1_0: the same operations, served by the same model-driven code. A
 * request is `POST /service/<service>/operation/<Operation>` with `smithy-protocol: rpc-v2-cbor` and, when
 * it has a body, `Content-Type: application/cbor`; it is signed as any other. Its body is decoded into the
 * values the JSON reader gives (timestamps, CBOR tag 1, as epoch seconds; byte strings as base64 text),
 * then validated and run as a JSON request is; the output goes back in CBOR with the model's output
 * shapes (timestamps as tag 1), errors as `{"__type", "message"}` maps with the awsQuery code header.
 *
 * The codec is @smithy/core's, the one the AWS SDK for JavaScript itself uses.
 */
import { readFileSync } from 'node:fs';
import { cbor, tag } from '@smithy/core/cbor';
import { ApiError } from './errors.js';

export const CBOR_CONTENT_TYPE = 'application/cbor';
export const SMITHY_PROTOCOL = 'rpc-v2-cbor';

/** `/service/<service>/operation/<Operation>`: the service's shape name and the operation. */
const RPC_PATH = /^\/service\/([A-Za-z0-9_.]{1,128})\/operation\/([A-Za-z0-9]{1,128})$/;

export function rpcV2Path(url: string): { service: string; op: string } | undefined {
  const m = RPC_PATH.exec(url.split('?')[0]!);
  return m === null ? undefined : { service: m[1]!, op: m[2]! };
}

const malformed = (why: string, cause?: unknown): ApiError =>
  new ApiError('SerializationException', `The request body is not valid CBOR: ${why}`, cause === undefined ? undefined : { cause });

/** The request body as the JSON reader would give it (an operation without input may send no body). */
export function readCborBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  let decoded: unknown;
  try {
    decoded = cbor.deserialize(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
  } catch (e) {
    throw malformed((e as Error).message, e);
  }
  let value: unknown;
  try {
    value = plain(decoded);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw malformed('nested too deeply', e); // a RangeError from the call stack
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed('the body is not a map');
  return value;
}

function plain(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw malformed('an integer is out of range');
    return Number(v);
  }
  if (v === undefined) return null;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown> & { tag?: unknown; value?: unknown };
    if ('tag' in o && 'value' in o && Object.getOwnPropertySymbols(o).length > 0) {
      // Tag 1 (epoch seconds) is the only tag these operations take: their timestamps.
      if (o.tag !== 1) throw malformed(`CBOR tag ${String(o.tag)} is not supported`);
      const t = plain(o.value);
      if (typeof t !== 'number') throw malformed('a timestamp (tag 1) is not a number');
      return t;
    }
    const out: Record<string, unknown> = {};
    // As JSON.parse does: a "__proto__" key is a member, not the object's prototype.
    for (const [k, x] of Object.entries(o)) Object.defineProperty(out, k, { value: plain(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  throw malformed(`a ${typeof v} value`);
}

interface ModelShape {
  type: string;
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  value?: { shape: string };
}

interface Model {
  operations: Record<string, { output?: { shape: string } }>;
  shapes: Record<string, ModelShape>;
}

let model: Model | undefined;

/** The service model (the repository's copy, which src/api/model/generated was made from), read once. */
function monitoringModel(): Model {
  model ??= JSON.parse(readFileSync(new URL('../../../model/monitoring-2010-08-01.service-2.json', import.meta.url), 'utf8')) as Model;
  return model;
}

/** The output of `op` in CBOR, its timestamps (epoch seconds in the JSON the actions return) as tag 1. */
export function writeCborOutput(op: string, out: unknown): Buffer {
  const m = monitoringModel();
  const shape = m.operations[op]?.output?.shape;
  return toBuffer(cbor.serialize(shape === undefined ? {} : typed(m, shape, out ?? {})));
}

/** An error's body in CBOR. */
export function writeCborError(body: Record<string, unknown>): Buffer {
  return toBuffer(cbor.serialize(typed(undefined, undefined, body)));
}

const toBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

function typed(m: Model | undefined, shapeName: string | undefined, v: unknown): unknown {
  const s = shapeName === undefined || m === undefined ? undefined : m.shapes[shapeName];
  if (v === null || v === undefined) return v;
  if (s?.type === 'timestamp') {
    const seconds = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) / 1000 : v instanceof Date ? v.getTime() / 1000 : NaN;
    return Number.isFinite(seconds) ? tag({ tag: 1, value: seconds }) : v;
  }
  if (s?.type === 'blob' && typeof v === 'string') return Buffer.from(v, 'base64');
  if (Array.isArray(v)) return v.map((x) => typed(m, s?.member?.shape, x));
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue; // as JSON.stringify leaves it out
      const member = s?.type === 'structure' ? s.members?.[k]?.shape : s?.type === 'map' ? s.value?.shape : undefined;
      out[k] = typed(m, member, x);
    }
    return out;
  }
  return v;
}
