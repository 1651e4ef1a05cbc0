/**
 * The agent scenario's run to a server, A/B between builds, with the server's CPU per event by thread
 * (not part of `npm run bench`):
 *
 *   node dist/bench/agent-cost.js --build old=/path/to/dist --build new=dist [--rounds 3] [--mib 128]
 *
 * Each round runs every build in turn (the order alternating between rounds): a fresh server of that
 * build, then that build's `logward agent --once` on a file of 200-byte lines (bench/agent.ts). For the
 * server's threads, grouped by name (/proc/<pid>/task/<tid>/comm), it reports CPU per event and the time
 * spent runnable but waiting for a core (schedstat), over the agent's run: when the busiest thread (the
 * event loop) is busy nearly all the wall time, the server bounds the rate; its wait says how much of
 * it other threads (the server's own or the agent's) took.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT_NODE_FLAGS, spawnAgent, writeInput } from './agent.js';
import { processCpuSeconds, ServerProcess, BENCH_CREDS } from './server.js';
import { median } from './stats.js';

const creds = BENCH_CREDS;

interface ThreadSample {
  name: string;
  cpuS: number;
  waitS: number;
  /** Minor page faults. */
  faults: number;
}

async function threads(pid: number): Promise<Map<number, ThreadSample>> {
  const out = new Map<number, ThreadSample>();
  for (const t of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    try {
      const name = (await readFile(`/proc/${pid}/task/${t}/comm`, 'utf8')).trim();
      const sched = (await readFile(`/proc/${pid}/task/${t}/schedstat`, 'utf8')).trim().split(' ');
      const st = await readFile(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const faults = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[7]);
      out.set(Number(t), { name, cpuS: await processCpuSeconds(pid, Number(t)), waitS: Number(sched[1]) / 1e9, faults });
    } catch {
      // the thread ended
    }
  }
  return out;
}

interface Run {
  build: string;
  wallS: number;
  events: number;
  agentCpuS: number;
  serverCpuS: number;
  /** By thread name: CPU and wait seconds over the run (threads of one name summed). */
  byName: Map<string, { cpuS: number; waitS: number }>;
  faults: number;
  /** The server's peak RSS (VmHWM) over its life, sealing at stop included, MiB. */
  serverHwmMiB: number;
  busiest: { name: string; cpuS: number; waitS: number };
  /** PutLogEvents requests the agent made (fewer, fuller batches cost the server less per event). */
  requests: number;
}

async function runOne(name: string, dist: string, dir: string, inputDir: string, lines: number, perf: boolean, serverNodeArgs: string[]): Promise<Run> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const entry = join(dist, 'src', 'cli', 'main.js');
  const server = await ServerProcess.start({ entry, dataDir: join(dir, 'data'), creds, logPath: join(dir, 'server.log'), extraArgs: ['--log-level', 'warn'], nodeArgs: [...serverNodeArgs, ...(perf ? ['--perf-basic-prof'] : [])], startTimeoutMs: 60_000 });
  try {
    await writeFile(
      join(dir, 'agent.json'),
      JSON.stringify({ logs: { logs_collected: { files: { collect_list: [{ file_path: join(inputDir, '*.log'), log_group_name: 'bench/agent', log_stream_name: '{hostname}' }] } }, force_flush_interval: 1 } }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const th0 = await threads(server.pid);
    const cpu0 = await server.cpuSeconds();
    const recorder = perf ? spawn('perf', ['record', '-F', '499', '-g', '-p', String(server.pid), '-o', join(dir, 'perf.data')], { stdio: 'ignore' }) : undefined;
    if (recorder) await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    const { child, output } = spawnAgent(AGENT_NODE_FLAGS, entry, join(dir, 'agent.json'), join(dir, 'state'), server.url, creds, 'us-east-1');
    let agentCpuS = 0;
    const pid = child.pid as number;
    const sampler = setInterval(() => void processCpuSeconds(pid).then((c) => (agentCpuS = Math.max(agentCpuS, c))).catch(() => undefined), 50);
    const [code] = (await once(child, 'exit')) as [number | null];
    const wallS = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    if (recorder) {
      recorder.kill('SIGINT');
      await once(recorder, 'exit');
    }
    const cpu1 = await server.cpuSeconds();
    const th1 = await threads(server.pid);
    const { stdout, stderr } = output();
    if (code !== 0) throw new Error(`agent exited ${code}: ${stderr}`);
    const { sent, requests } = JSON.parse(stdout) as { sent: number; requests: number };
    if (sent !== lines) throw new Error(`agent sent ${sent} of ${lines} lines`);
    const byName = new Map<string, { cpuS: number; waitS: number }>();
    let busiest = { name: '', cpuS: 0, waitS: 0 };
    let faults = 0;
    for (const [tid, b] of th1) {
      const a = th0.get(tid) ?? { name: b.name, cpuS: 0, waitS: 0, faults: 0 };
      faults += b.faults - a.faults;
      const d = { cpuS: b.cpuS - a.cpuS, waitS: b.waitS - a.waitS };
      // Threads all inherit the name "node" (workers, V8's, libuv's, DuckDB's): named by their id's offset
      // from the process id, which is stable between runs of one build (they start in the same order).
      const label = b.name === 'node' ? `+${tid - server.pid}` : b.name;
      const s = byName.get(label) ?? { cpuS: 0, waitS: 0 };
      byName.set(label, { cpuS: s.cpuS + d.cpuS, waitS: s.waitS + d.waitS });
      if (d.cpuS > busiest.cpuS) busiest = { name: `+${tid - server.pid}`, ...d };
    }
    const stopped = await server.stop(120_000);
    return { build: name, wallS, events: lines, agentCpuS, serverCpuS: cpu1 - cpu0, byName, busiest, faults, serverHwmMiB: stopped.hwmKiB / 1024, requests };
  } catch (e) {
    await server.stop(120_000);
    throw e;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      build: { type: 'string', multiple: true },
      rounds: { type: 'string', default: '3' },
      mib: { type: 'string', default: '128' },
      /** perf record -g of the server during the agent's run, into the run's folder (and --perf-basic-prof). */
      perf: { type: 'boolean', default: false },
      /** Options for node running the server (e.g. V8 flags), applied to every build. */
      'server-node-arg': { type: 'string', multiple: true },
    },
  });
  const builds = (values.build ?? ['new=dist']).map((b) => {
    const i = b.indexOf('=');
    return { name: b.slice(0, i), dist: resolve(b.slice(i + 1)) };
  });
  const root = resolve('.bench-data', 'agent-cost');
  const inputDir = join(root, 'input');
  const mib = Number(values.mib);
  await mkdir(inputDir, { recursive: true });
  const inputPath = join(inputDir, 'input.log');
  const want = Math.floor((mib * 1024 * 1024) / 200) * 200;
  const have = await stat(inputPath).then((s) => s.size).catch(() => -1);
  const input = have === want ? { bytes: want, lines: want / 200 } : await writeInput(inputPath, mib);
  const results = new Map<string, Run[]>(builds.map((b) => [b.name, []]));
  for (let r = 0; r < Number(values.rounds); r++) {
    const order = r % 2 === 0 ? builds : [...builds].reverse();
    for (const b of order) {
      const x = await runOne(b.name, b.dist, join(root, `run-${b.name}`), inputDir, input.lines, values.perf, values['server-node-arg'] ?? []);
      results.get(b.name)!.push(x);
      const us = (s: number): string => ((s * 1e6) / x.events).toFixed(2);
      process.stderr.write(
        `round ${r} ${b.name}: ${((input.bytes / 1048576) / x.wallS).toFixed(1)} MiB/s (${x.wallS.toFixed(1)} s, ${x.requests} requests); agent ${us(x.agentCpuS)} µs/event, server ${us(x.serverCpuS)}; ` +
          `busiest ${x.busiest.name} ${us(x.busiest.cpuS)} µs/event, busy ${((100 * x.busiest.cpuS) / x.wallS).toFixed(0)}% and waiting ${((100 * x.busiest.waitS) / x.wallS).toFixed(0)}% of the wall time; ${(x.faults / x.events).toFixed(2)} page faults/event; server peak RSS ${x.serverHwmMiB.toFixed(0)} MiB\n`,
      );
      process.stderr.write(`   ${[...x.byName.entries()].sort((a, c) => c[1].cpuS - a[1].cpuS).slice(0, 10).map(([k, v]) => `${k} ${us(v.cpuS)} (wait ${us(v.waitS)})`).join(', ')}\n`);
    }
  }
  for (const b of builds) {
    const rs = results.get(b.name)!;
    const m = (f: (x: Run) => number): string => median(rs.map(f)).toFixed(2);
    const per = (f: (x: Run) => number): string => m((x) => (f(x) * 1e6) / x.events);
    console.log(
      `${b.name}: ${m((x) => input.bytes / 1048576 / x.wallS)} MiB/s, ${m((x) => x.requests)} requests; agent ${per((x) => x.agentCpuS)} µs/event, server ${per((x) => x.serverCpuS)}; ` +
        `busiest thread ${per((x) => x.busiest.cpuS)} µs/event, busy ${m((x) => (100 * x.busiest.cpuS) / x.wallS)}%, waiting ${m((x) => (100 * x.busiest.waitS) / x.wallS)}%, ${m((x) => x.faults / x.events)} page faults/event, server peak RSS ${m((x) => x.serverHwmMiB)} MiB (medians of ${rs.length})`,
    );
    const names = new Set(rs.flatMap((x) => [...x.byName.keys()]));
    const rows = [...names].map((n) => ({ n, cpu: median(rs.map((x) => ((x.byName.get(n)?.cpuS ?? 0) * 1e6) / x.events)), wait: median(rs.map((x) => ((x.byName.get(n)?.waitS ?? 0) * 1e6) / x.events)) }));
    for (const r of rows.sort((a, c) => c.cpu - a.cpu).filter((r) => r.cpu >= 0.01)) console.log(`   ${r.n.padEnd(18)} ${r.cpu.toFixed(2)} µs/event CPU, ${r.wait.toFixed(2)} waiting`);
  }
}

await main();
