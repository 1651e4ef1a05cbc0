/**
 * Metric math for GetMetricData and alarms, the simple part of AWS's language: numbers, query ids,
 * `+ - * /`, parentheses, unary minus, and SUM, AVG, MIN, MAX of a list (`SUM([m1, m2])`) or of
 * `METRICS()` (every MetricStat query). A series with a number applies the number at every timestamp; two
 * series combine at the timestamps both have (AWS drops the others); the list functions combine at every
 * timestamp any of the series has. Division by zero gives no value at that timestamp.
 */
export type TimeSeries = Map<number, number>;

type Node =
  | { kind: 'num'; value: number }
  | { kind: 'id'; id: string }
  | { kind: 'neg'; arg: Node }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/'; left: Node; right: Node }
  | { kind: 'call'; fn: 'SUM' | 'AVG' | 'MIN' | 'MAX'; args: Node[] | 'METRICS' };

export class MathError extends Error {
  override readonly name = 'MathError';
}

const FUNCTIONS = ['SUM', 'AVG', 'MIN', 'MAX'] as const;

export function parseExpression(text: string): Node {
  const tokens = text.match(/\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|[-+*/(),[\]]|\S)/g) ?? [];
  const toks = tokens.map((t) => t.trim());
  let i = 0;
  const peek = (): string | undefined => toks[i];
  const expect = (t: string): void => {
    if (toks[i] !== t) throw new MathError(`expected '${t}' ${toks[i] === undefined ? 'at the end' : `before '${toks[i]}'`}`);
    i++;
  };
  const expr = (): Node => {
    let left = term();
    while (peek() === '+' || peek() === '-') {
      const op = toks[i++] as '+' | '-';
      left = { kind: 'bin', op, left, right: term() };
    }
    return left;
  };
  const term = (): Node => {
    let left = unary();
    while (peek() === '*' || peek() === '/') {
      const op = toks[i++] as '*' | '/';
      left = { kind: 'bin', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    if (peek() === '-') {
      i++;
      return { kind: 'neg', arg: unary() };
    }
    return atom();
  };
  const atom = (): Node => {
    const t = toks[i++];
    if (t === undefined) throw new MathError('unexpected end of expression');
    if (t === '(') {
      const e = expr();
      expect(')');
      return e;
    }
    if (/^\d/.test(t)) return { kind: 'num', value: Number(t) };
    if (/^[A-Za-z_]/.test(t)) {
      const upper = t.toUpperCase();
      if (peek() === '(' && (FUNCTIONS as readonly string[]).includes(upper)) {
        i++;
        let args: Node[] | 'METRICS';
        if (peek() === '[') {
          i++;
          args = [expr()];
          while (peek() === ',') {
            i++;
            args.push(expr());
          }
          expect(']');
        } else if (peek()?.toUpperCase() === 'METRICS') {
          i++;
          expect('(');
          expect(')');
          args = 'METRICS';
        } else {
          args = [expr()];
        }
        expect(')');
        return { kind: 'call', fn: upper as (typeof FUNCTIONS)[number], args };
      }
      if (peek() === '(') throw new MathError(`unsupported function ${t}`);
      if (!/^[a-z][A-Za-z0-9_]*$/.test(t)) throw new MathError(`'${t}' is not the id of a query (ids start with a lowercase letter)`);
      return { kind: 'id', id: t };
    }
    throw new MathError(`unexpected '${t}'`);
  };
  const root = expr();
  if (i < toks.length) throw new MathError(`unexpected '${toks[i]}'`);
  return root;
}

/** The query ids an expression uses (METRICS() uses every MetricStat query: `'*'`). */
export function references(n: Node): Set<string> {
  const out = new Set<string>();
  const visit = (x: Node): void => {
    if (x.kind === 'id') out.add(x.id);
    else if (x.kind === 'neg') visit(x.arg);
    else if (x.kind === 'bin') {
      visit(x.left);
      visit(x.right);
    } else if (x.kind === 'call') {
      if (x.args === 'METRICS') out.add('*');
      else x.args.forEach(visit);
    }
  };
  visit(n);
  return out;
}

type Value = number | TimeSeries;

export function evaluate(n: Node, lookup: (id: string) => TimeSeries, metricStats: () => TimeSeries[]): TimeSeries | number {
  const ev = (x: Node): Value => {
    switch (x.kind) {
      case 'num':
        return x.value;
      case 'id':
        return lookup(x.id);
      case 'neg':
        return binary('*', -1, ev(x.arg));
      case 'bin':
        return binary(x.op, ev(x.left), ev(x.right));
      case 'call': {
        const args = x.args === 'METRICS' ? metricStats() : x.args.map(ev);
        return aggregate(x.fn, args);
      }
    }
  };
  return ev(n);
}

function apply(op: '+' | '-' | '*' | '/', a: number, b: number): number | undefined {
  const v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : b === 0 ? NaN : a / b;
  return Number.isFinite(v) ? v : undefined;
}

function binary(op: '+' | '-' | '*' | '/', a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') return apply(op, a, b) ?? NaN;
  const out: TimeSeries = new Map();
  if (typeof a === 'number') {
    for (const [t, v] of b as TimeSeries) set(out, t, apply(op, a, v));
  } else if (typeof b === 'number') {
    for (const [t, v] of a) set(out, t, apply(op, v, b));
  } else {
    for (const [t, v] of a) if (b.has(t)) set(out, t, apply(op, v, b.get(t)!));
  }
  return out;
}

function set(out: TimeSeries, t: number, v: number | undefined): void {
  if (v !== undefined) out.set(t, v);
}

function aggregate(fn: 'SUM' | 'AVG' | 'MIN' | 'MAX', args: Value[]): Value {
  const series = args.filter((a): a is TimeSeries => typeof a !== 'number');
  const numbers = args.filter((a): a is number => typeof a === 'number');
  if (series.length === 0) {
    // Over plain numbers: the function of the numbers.
    return combine(fn, numbers) ?? NaN;
  }
  const times = new Set<number>();
  for (const s of series) for (const t of s.keys()) times.add(t);
  const out: TimeSeries = new Map();
  for (const t of times) {
    const vs = [...numbers];
    for (const s of series) if (s.has(t)) vs.push(s.get(t)!);
    set(out, t, combine(fn, vs));
  }
  return out;
}

function combine(fn: 'SUM' | 'AVG' | 'MIN' | 'MAX', vs: number[]): number | undefined {
  if (vs.length === 0) return undefined;
  switch (fn) {
    case 'SUM':
      return vs.reduce((a, b) => a + b, 0);
    case 'AVG':
      return vs.reduce((a, b) => a + b, 0) / vs.length;
    case 'MIN':
      return Math.min(...vs);
    case 'MAX':
      return Math.max(...vs);
  }
}
