/**
 * The files a `file_path` names: `*`, `?` and `[...]` within one path segment, `**` for any number of
 * directories. Only regular files are returned (symbolic links are followed); unreadable directories are
 * skipped, as a directory that is not there yet is.
 */
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

const MAGIC = /[*?[]/;

function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        const body = segment.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export async function glob(pattern: string): Promise<string[]> {
  const abs = isAbsolute(pattern) ? pattern : resolve(pattern);
  const parts = abs.split('/').filter((p) => p !== '');
  const out = new Set<string>();
  await walk('/', parts, out);
  return [...out].sort();
}

async function walk(dir: string, parts: string[], out: Set<string>): Promise<void> {
  let i = 0;
  let base = dir;
  while (i < parts.length && !MAGIC.test(parts[i] as string)) base = join(base, parts[i++] as string);
  if (i === parts.length) {
    const st = await stat(base).catch(() => undefined);
    if (st?.isFile() === true) out.add(base);
    return;
  }
  const part = parts[i] as string;
  const rest = parts.slice(i + 1);
  let entries: { name: string; isDirectory(): boolean; isSymbolicLink(): boolean }[];
  try {
    entries = await readdir(base, { withFileTypes: true });
  } catch {
    return;
  }
  if (part === '**') {
    await walk(base, rest, out);
    for (const e of entries) if (e.isDirectory()) await walk(join(base, e.name), parts.slice(i), out);
    return;
  }
  const re = segmentRegex(part);
  for (const e of entries) {
    if (!re.test(e.name) || (e.name.startsWith('.') && !part.startsWith('.'))) continue;
    if (rest.length === 0) {
      const st = await stat(join(base, e.name)).catch(() => undefined);
      if (st?.isFile() === true) out.add(join(base, e.name));
    } else if (e.isDirectory() || e.isSymbolicLink()) {
      await walk(join(base, e.name), rest, out);
    }
  }
}
