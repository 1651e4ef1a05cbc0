/** The machine a run happened on, for the report: numbers mean little without it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  /** cgroup v2 cpu.max ("max 100000" when unlimited). */
  cpuQuota: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  os: string;
  ripgrep: string;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function ripgrepVersion(): string {
  try {
    return execFileSync('rg', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const osRelease = read('/etc/os-release') ?? '';
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    cpuQuota: read('/sys/fs/cgroup/cpu.max')?.trim() ?? 'n/a',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    os: /PRETTY_NAME="([^"]*)"/.exec(osRelease)?.[1] ?? 'unknown',
    ripgrep: ripgrepVersion(),
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores (cgroup cpu.max: ${m.cpuQuota}), ${m.memoryGiB} GiB RAM; ${m.os}, ${m.kernel}; Node.js ${m.node}; ${m.ripgrep}`;
}
