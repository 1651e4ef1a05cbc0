/**
 * How a mined template is shown: `@pattern` (dynamic tokens as `<Name-n>`, or `<*>`), `@regexString`
 * (a regular expression every event of the pattern matches), `@PatternId` (stable for a template) and
 * `@tokens` (CloudWatch's PatternToken structures, as JSON).
 */
import { createHash } from 'node:crypto';
import type { Cluster, TemplateToken } from './drain.js';

/**
 * `named`: "If CloudWatch Logs can determine the type of data that a dynamic token represents, it
 * displays the token as <string-number>... If CloudWatch Logs can't infer the type ..., displays it
 * as <Token-number>" (the `pattern` command page). `wildcard`: `<*>`, the form of the page's earlier
 * revision and of PatternToken.tokenString ("If this is a dynamic token, the value will be <*>").
 */
export type TokenStyle = 'named' | 'wildcard';

/** The inferred name of each dynamic position, numbered from 1 in order (`IPAddress-1`, `Token-2`). */
export function dynamicNames(c: Cluster): Array<string | null> {
  let n = 0;
  return c.slots.map((s) => (s ? `${s.name}-${++n}` : null));
}

export function renderPattern(c: Cluster, style: TokenStyle = 'named'): string {
  const names = dynamicNames(c);
  let out = '';
  c.template.forEach((t, i) => {
    if (i > 0 && t.gap) out += ' ';
    out += t.dynamic ? (style === 'named' ? `<${names[i] as string}>` : '<*>') : t.text;
  });
  return out;
}

/**
 * A key that identifies the template exactly (literals, parameters, whitespace layout); clusters with
 * equal keys are the same pattern and are merged.
 */
export function templateKey(template: readonly TemplateToken[]): string {
  return template.map((t) => (t.gap ? ' ' : '') + (t.dynamic ? '\u0000' : t.text.replaceAll('\u0000', '\u0000\u0000'))).join('');
}

/** The key of a cluster's pattern: its template's, except for the overflow cluster, which has a key of its own. */
export function clusterKey(c: Cluster): string {
  return c.overflow ? '\u0001overflow' : templateKey(c.template);
}

/** `@PatternId`: the MD5 of the pattern's key, in hex; the same template gets the same id in any query. */
export function patternId(c: Cluster): string {
  return createHash('md5').update(clusterKey(c)).digest('hex');
}

const SPECIAL = /[\\^$.*+?()[\]{}|]/g;

/**
 * `@regexString`: anchored; literals escaped, parameters as `\S+`, whitespace as `\s+`. Matches the
 * analysed part of every event of the pattern (its first 1500 characters). Valid in JavaScript and RE2.
 */
export function templateRegex(c: Cluster): string {
  if (c.overflow) return '^[\\s\\S]*$';
  let out = '^\\s*';
  c.template.forEach((t, i) => {
    if (i > 0 && t.gap) out += '\\s+';
    out += t.dynamic ? '\\S+' : t.text.replace(SPECIAL, '\\$&');
  });
  return `${out}\\s*$`;
}

/** One PatternToken (the CloudWatch Logs API type) of `@tokens`, plus fields seen in `pattern` results. */
export interface PatternTokenJson {
  /** 1, 2, ... for dynamic tokens in order; 0 for static ones. */
  dynamicTokenPosition: number;
  isDynamic: boolean;
  tokenType: 'STATIC' | 'DYNAMIC';
  /** The literal, or `<*>` for a dynamic token. */
  tokenString: string;
  isNumeric: boolean;
  isErrorCode: boolean;
  /** Dynamic tokens: value → count, most frequent first, at most maxValuesPerToken values. */
  enumerations?: Record<string, number>;
  inferredTokenName?: string;
}

const HTTP_ERROR = /^[45]\d\d$/;

/**
 * `@tokens` for `group`: static runs (literals without whitespace between them) and dynamic tokens,
 * in order. `isNumeric`: every counted value is a number; `isErrorCode`: every counted value is an
 * HTTP 4xx/5xx status (our heuristic; AWS does not document it).
 */
export function tokensJson(c: Cluster, group: number): string {
  const names = dynamicNames(c);
  const parts: string[] = [];
  let run: string | null = null;
  const flush = (): void => {
    if (run !== null) parts.push(JSON.stringify({ dynamicTokenPosition: 0, isDynamic: false, tokenType: 'STATIC', tokenString: run, isNumeric: false, isErrorCode: false }));
    run = null;
  };
  let position = 0;
  c.template.forEach((t, i) => {
    if (!t.dynamic) {
      if (run !== null && !t.gap) run += t.text;
      else {
        flush();
        run = t.text;
      }
      return;
    }
    flush();
    position++;
    const entries = c.slots[i]?.values[group]?.entries() ?? [];
    const numeric = entries.length > 0 && entries.every(([v]) => /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(v));
    const errorCode = entries.length > 0 && entries.every(([v]) => HTTP_ERROR.test(v));
    // Built by hand so that the enumeration keeps its order (JSON.stringify would put "200" before "x").
    const enumerations = `{${entries.map(([v, n]) => `${JSON.stringify(v)}:${n}`).join(',')}}`;
    parts.push(
      `{"dynamicTokenPosition":${position},"isDynamic":true,"tokenType":"DYNAMIC","tokenString":"<*>",` +
        `"isNumeric":${numeric},"isErrorCode":${errorCode},"enumerations":${enumerations},` +
        `"inferredTokenName":${JSON.stringify(names[i])}}`,
    );
  });
  flush();
  return `[${parts.join(',')}]`;
}
