/**
 * IAM wildcard matching: `*` matches any run of characters (including none), `?` exactly one;
 * every other character matches itself. Used for Action (case-insensitive), Resource and the
 * StringLike / ArnLike condition operators (case-sensitive).
 */

/** Whether `value` matches the whole of `pattern`. Linear-time greedy matching with one backtrack point. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    const pc = p[pi];
    if (pc === '*') {
      star = pi++;
      mark = vi;
    } else if (pi < p.length && (pc === '?' || pc === v[vi])) {
      pi++;
      vi++;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * ARN matching as IAM does it: the first five colon-separated parts (arn, partition, service,
 * region, account) are matched one by one, so a wildcard cannot run across them; the rest (the
 * resource, which may itself hold colons) is matched as one string. A pattern that is not an ARN
 * (for example `*`) is matched against the whole value.
 */
export function arnMatch(pattern: string, value: string): boolean {
  const pp = splitArn(pattern);
  const vp = splitArn(value);
  if (pp === undefined || vp === undefined) return globMatch(pattern, value);
  for (let i = 0; i < 6; i++) if (!globMatch(pp[i]!, vp[i]!)) return false;
  return true;
}

function splitArn(s: string): string[] | undefined {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const at = s.indexOf(':', from);
    if (at < 0) return undefined;
    parts.push(s.slice(from, at));
    from = at + 1;
  }
  parts.push(s.slice(from));
  return parts;
}
