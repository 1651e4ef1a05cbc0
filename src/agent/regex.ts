/**
 * Regular expressions from the agent configuration. The CloudWatch agent is written in Go, so its
 * patterns are RE2: leading inline flags such as `(?i)` become JavaScript flags here; the rest of RE2's
 * syntax that configurations use (classes, groups, anchors, `\d`, `\s`) reads the same in JavaScript.
 */

/** A configuration that cannot be used; the CLI prints its message and exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function compileRegex(pattern: string, where: string): RegExp {
  let source = pattern;
  let flags = '';
  const m = /^\(\?([imsU]+)\)/.exec(source);
  if (m !== null) {
    source = source.slice(m[0].length);
    for (const f of m[1] ?? '') if (f !== 'U' && !flags.includes(f)) flags += f;
  }
  try {
    return new RegExp(source, flags);
  } catch (cause) {
    throw new ConfigError(`invalid agent configuration: ${where}: not a valid regular expression: ${(cause as Error).message}`, { cause });
  }
}
