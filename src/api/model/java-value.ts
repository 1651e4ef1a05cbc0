/**
 * Values as AWS prints them in validation messages ("Value '<this>' at ..."): the Java `toString()` of the
 * deserialized request object. Strings print bare, lists `[a, b]`, maps `{k=v, k2=v2}`, doubles as
 * Double.toString (`1.0`, `1.0E10`), and structures as the service's Lombok classes print them,
 * `MetricTransformation(metricName=m, metricNamespace=n, metricValue=1, defaultValue=null, ...)`: every
 * member, `null` when unset.
 *
 * Only the failure path formats, so this favours clarity over speed; it never throws, whatever the value.
 */
import type { ShapeSpec } from './types.js';

export interface JavaFormat {
  readonly shapes: Readonly<Record<string, ShapeSpec>>;
  /** Member order of printed structures whose server class orders them unlike the model. */
  readonly memberOrder: Readonly<Record<string, readonly string[]>>;
}

export function formatJavaValue(value: unknown, shape: string, format: JavaFormat): string {
  if (value === null || value === undefined) return 'null';
  const spec = Object.hasOwn(format.shapes, shape) ? format.shapes[shape] : undefined;
  if (spec === undefined) return plain(value);
  switch (spec.type) {
    case 'double':
    case 'float':
      return typeof value === 'number' ? javaDouble(value) : plain(value);
    case 'list':
      if (!Array.isArray(value)) return plain(value);
      return `[${value.map((v) => formatJavaValue(v, spec.member, format)).join(', ')}]`;
    case 'map': {
      if (!isObject(value)) return plain(value);
      const entries = Object.keys(value).map((k) => `${k}=${formatJavaValue(value[k], spec.value, format)}`);
      return `{${entries.join(', ')}}`;
    }
    case 'structure': {
      if (!isObject(value)) return plain(value);
      const names = format.memberOrder[shape] ?? Object.keys(spec.members);
      const members = names.map((m) => {
        const v = Object.hasOwn(value, m) ? value[m] : undefined;
        return `${m}=${formatJavaValue(v, spec.members[m] ?? '', format)}`;
      });
      return `${shape}(${members.join(', ')})`;
    }
    default:
      return plain(value);
  }
}

/** Java's Double.toString: plain decimals in [1e-3, 1e7), else `d.dddE<n>`; always a fraction digit. */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa = '', exponent = '0'] = n.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** A value whose shape gives no guidance (or does not fit it), printed Java-like. */
function plain(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(plain).join(', ')}]`;
  if (isObject(value)) return `{${Object.keys(value).map((k) => `${k}=${plain(value[k])}`).join(', ')}}`;
  return typeof value === 'symbol' ? value.toString() : String(value as string | number | boolean | bigint);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
