/**
 * Summaries of the V8 CPU profiles the server writes with `--profile` (node --cpu-prof): where the
 * server's main thread spends its time, by function and by module. Native threads (DuckDB's workers,
 * libuv's fs pool, the GC's helpers) are not sampled; their cost shows only in the CPU table.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Share of sampled time (0–1), largest first. */
  byModule: [string, number][];
  byFunction: [string, number][];
}

/** `dist/src/store/trigram.js` → `src/store/trigram`; `node_modules/fastify/...` → `fastify`. */
export function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm !== null) return nm[1] as string;
  const own = /dist\/((?:src|bench)\/.*)\.js$/.exec(url);
  if (own !== null) return own[1] as string;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

export function summarizeProfile(profile: CpuProfile, file: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const mod = moduleOf(url, functionName);
    modules.set(mod, (modules.get(mod) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${url === '' ? '' : `${mod}:${lineNumber + 1}`}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const top = (m: Map<string, number>): [string, number][] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([k, v]) => [k, total === 0 ? 0 : v / total]);
  return { file, totalMs: total / 1000, byModule: top(modules), byFunction: top(functions) };
}

/** Summaries of every .cpuprofile in a directory. */
export async function summarizeProfiles(dir: string): Promise<ProfileSummary[]> {
  const out: ProfileSummary[] = [];
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.cpuprofile')).sort()) {
    const profile = JSON.parse(await readFile(join(dir, name), 'utf8')) as CpuProfile;
    out.push(summarizeProfile(profile, name));
  }
  return out;
}
