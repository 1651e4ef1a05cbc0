/**
 * Host metrics (the `metrics` section: cpu, mem, swap, disk, net) read from /proc and statfs, published
 * with PutMetricData at each plugin's interval, named as the CloudWatch agent names them (`cpu_usage_idle`,
 * `mem_used_percent`, `disk_used_percent`, `net_bytes_sent`) with its dimensions (`host`, `cpu`, `path`,
 * `device`, `fstype`, `interface`). CPU usage and network counters are rates over the interval, so their
 * first values come one interval after the start. A failed publish is logged and the next interval goes on.
 */
import { readFile, statfs } from 'node:fs/promises';
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import type { MetricsConfig, MetricSpec } from './config.js';
import type { HostInfo } from './host.js';
import type { AgentLog } from './sender.js';

type Sample = { dims: Record<string, string>; values: Record<string, number> };

const CPU_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

export async function readCpuTimes(): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const line of (await readFile('/proc/stat', 'utf8')).split('\n')) {
    const m = /^(cpu\d*)\s+(.*)$/.exec(line);
    if (m !== null) out.set(m[1] === 'cpu' ? 'cpu-total' : (m[1] as string), (m[2] as string).split(/\s+/).slice(0, 8).map(Number));
  }
  return out;
}

export function cpuUsage(a: number[], b: number[]): Record<string, number> {
  const d = CPU_FIELDS.map((_, i) => (b[i] ?? 0) - (a[i] ?? 0));
  const total = d.reduce((x, y) => x + y, 0) || 1;
  const pct = (i: number): number => (100 * (d[i] ?? 0)) / total;
  const out: Record<string, number> = {};
  CPU_FIELDS.forEach((f, i) => (out[`usage_${f}`] = pct(i)));
  out.usage_active = 100 - (out.usage_idle ?? 0) - (out.usage_iowait ?? 0);
  return out;
}

export async function readMemory(): Promise<{ mem: Record<string, number>; swap: Record<string, number> }> {
  const kv = new Map<string, number>();
  for (const line of (await readFile('/proc/meminfo', 'utf8')).split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m !== null) kv.set(m[1] as string, Number(m[2]) * 1024);
  }
  const total = kv.get('MemTotal') ?? 0;
  const available = kv.get('MemAvailable') ?? kv.get('MemFree') ?? 0;
  const swapTotal = kv.get('SwapTotal') ?? 0;
  const swapFree = kv.get('SwapFree') ?? 0;
  return {
    mem: {
      total,
      available,
      free: kv.get('MemFree') ?? 0,
      cached: kv.get('Cached') ?? 0,
      buffered: kv.get('Buffers') ?? 0,
      used: total - available,
      used_percent: total === 0 ? 0 : (100 * (total - available)) / total,
      available_percent: total === 0 ? 0 : (100 * available) / total,
    },
    swap: { used: swapTotal - swapFree, free: swapFree, used_percent: swapTotal === 0 ? 0 : (100 * (swapTotal - swapFree)) / swapTotal },
  };
}

const PSEUDO_FS = new Set(['proc', 'sysfs', 'devtmpfs', 'devpts', 'cgroup', 'cgroup2', 'securityfs', 'pstore', 'debugfs', 'tracefs', 'mqueue', 'hugetlbfs', 'configfs', 'fusectl', 'bpf', 'autofs', 'binfmt_misc', 'nsfs', 'squashfs', 'overlay', 'tmpfs']);

export async function readDisks(resources: string[]): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const line of (await readFile('/proc/mounts', 'utf8')).split('\n')) {
    const [device, path, fstype] = line.split(' ');
    if (device === undefined || path === undefined || fstype === undefined) continue;
    const wanted = resources.includes('*') ? !PSEUDO_FS.has(fstype) : resources.includes(path);
    if (!wanted) continue;
    const s = await statfs(path).catch(() => undefined);
    if (s === undefined || s.blocks === 0) continue;
    const total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    const used = (s.blocks - s.bfree) * s.bsize;
    out.push({
      dims: { path, device: device.replace(/^\/dev\//, ''), fstype },
      values: {
        total,
        free,
        used,
        used_percent: used + free === 0 ? 0 : (100 * used) / (used + free),
        inodes_total: s.files,
        inodes_free: s.ffree,
        inodes_used: s.files - s.ffree,
      },
    });
  }
  return out;
}

export async function readNetwork(): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  for (const line of (await readFile('/proc/net/dev', 'utf8')).split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (m === null) continue;
    const v = (m[2] as string).trim().split(/\s+/).map(Number);
    out.set(m[1] as string, {
      bytes_recv: v[0] ?? 0, packets_recv: v[1] ?? 0, err_in: v[2] ?? 0, drop_in: v[3] ?? 0,
      bytes_sent: v[8] ?? 0, packets_sent: v[9] ?? 0, err_out: v[10] ?? 0, drop_out: v[11] ?? 0,
    });
  }
  return out;
}

export class HostMetrics {
  private timers: NodeJS.Timeout[] = [];
  private lastCpu: Map<string, number[]> | undefined;
  private lastNet: Map<string, Record<string, number>> | undefined;
  private publishing = new Set<Promise<void>>();

  constructor(
    private readonly config: MetricsConfig,
    private readonly client: CloudWatchClient,
    private readonly host: HostInfo,
    private readonly log: AgentLog,
  ) {}

  start(): void {
    for (const p of this.config.plugins) {
      const tick = (): void => {
        const run = this.collectAndPublish(p).catch((e: unknown) => this.log.warn(`host metrics (${p.plugin}) not published: ${e instanceof Error ? e.message : String(e)}`));
        this.publishing.add(run);
        void run.finally(() => this.publishing.delete(run));
      };
      tick();
      const t = setInterval(tick, p.intervalMs);
      t.unref();
      this.timers.push(t);
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all(this.publishing);
  }

  /** The datums of one plugin now (rates need a previous sample: none the first time). */
  async collect(p: MetricsConfig['plugins'][number]): Promise<MetricDatum[]> {
    const samples: Sample[] = [];
    switch (p.plugin) {
      case 'cpu': {
        const now = await readCpuTimes();
        const prev = this.lastCpu;
        this.lastCpu = now;
        if (prev === undefined) break;
        for (const [cpu, times] of now) {
          if (cpu === 'cpu-total' ? !p.totalcpu : !p.resources.includes('*') && !p.resources.includes(cpu)) continue;
          const before = prev.get(cpu);
          if (before !== undefined) samples.push({ dims: { cpu }, values: cpuUsage(before, times) });
        }
        break;
      }
      case 'mem':
      case 'swap':
        samples.push({ dims: {}, values: (await readMemory())[p.plugin] });
        break;
      case 'disk':
        samples.push(...(await readDisks(p.resources)));
        break;
      case 'net': {
        const now = await readNetwork();
        const prev = this.lastNet;
        this.lastNet = now;
        if (prev === undefined) break;
        for (const [iface, v] of now) {
          if (iface === 'lo' || (!p.resources.includes('*') && !p.resources.includes(iface))) continue;
          const before = prev.get(iface);
          if (before === undefined) continue;
          const values: Record<string, number> = {};
          // Counters as the amount over the interval, as the CloudWatch agent's net plugin reports deltas.
          for (const [k, x] of Object.entries(v)) values[k] = Math.max(0, x - (before[k] ?? 0));
          samples.push({ dims: { interface: iface }, values });
        }
        break;
      }
    }
    const timestamp = new Date();
    const datums: MetricDatum[] = [];
    for (const s of samples) {
      for (const m of p.metrics) {
        const value = s.values[m.measurement];
        if (value === undefined || !Number.isFinite(value)) continue;
        datums.push(this.datum(m, value, s.dims, timestamp));
      }
    }
    return datums;
  }

  private datum(m: MetricSpec, value: number, dims: Record<string, string>, timestamp: Date): MetricDatum {
    const all: Record<string, string> = { host: this.host.hostname, ...dims };
    for (const [k, v] of Object.entries(this.config.appendDimensions)) {
      all[k] = v.replace('${aws:InstanceId}', this.host.instanceId).replace('${aws:Hostname}', this.host.hostname);
    }
    return {
      MetricName: m.name,
      Value: value,
      Timestamp: timestamp,
      ...(m.unit === undefined ? {} : { Unit: m.unit as StandardUnit }),
      Dimensions: Object.entries(all).slice(0, 30).map(([Name, Value]) => ({ Name, Value })),
    };
  }

  private async collectAndPublish(p: MetricsConfig['plugins'][number]): Promise<void> {
    const datums = await this.collect(p);
    // PutMetricData takes at most 1,000 datums a call.
    for (let i = 0; i < datums.length; i += 1000) {
      await this.client.send(new PutMetricDataCommand({ Namespace: this.config.namespace, MetricData: datums.slice(i, i + 1000) }));
    }
  }
}
