/**
 * Starts the real Logward server (`node dist/src/cli/main.js serve`) as a child process for contract and
 * integration tests, and drives the real aws CLI against it.
 *
 * Contract: the server prints a line containing `Logward listening on <url>` once it accepts requests;
 * startLogward resolves only then. The child is never left behind: stop() sends SIGTERM, kill() SIGKILL,
 * and both wait for the process to exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

/** Fixed test credentials handed to the server through its environment. */
export const TEST_ACCESS_KEY_ID = 'LKIATESTKEY000000001';
export const TEST_SECRET_ACCESS_KEY = 'lwTestSecretKey0000000000000000000000001';
export const TEST_REGION = 'us-east-1';
/** The server's default account id (src/config.ts). */
export const TEST_ACCOUNT_ID = '000000000000';

/** dist/test/helpers/server.js → dist/src/cli/main.js, and the repository root for the child's cwd. */
const MAIN_JS = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;
/** How much of the child's output is kept for error messages. */
const KEEP_OUTPUT_CHARS = 64 * 1024;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
}

export interface LogwardServer {
  url: string;
  port: number;
  dataDir: string;
  credentials: Credentials;
  client: CloudWatchLogsClient;
  proc: ChildProcess;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** The last output of the child, for diagnostics. */
  output(): { stdout: string; stderr: string };
}

class Tail {
  private text = '';
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > KEEP_OUTPUT_CHARS) this.text = this.text.slice(-KEEP_OUTPUT_CHARS);
  }
  toString(): string {
    return this.text;
  }
}

export function makeClient(url: string, credentials: Credentials): CloudWatchLogsClient {
  // maxAttempts 1: a retry would hide server errors and, for PutLogEvents, could duplicate a batch.
  return new CloudWatchLogsClient({ endpoint: url, region: TEST_REGION, credentials, maxAttempts: 1 });
}

export async function startLogward(opts: StartOptions = {}): Promise<LogwardServer> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'logward-test-')));
  const credentials: Credentials = { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY };
  const args = [MAIN_JS, 'serve', '--port', '0', '--data-dir', dataDir, ...(opts.args ?? [])];
  const proc = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      LOGWARD_ACCESS_KEY_ID: credentials.accessKeyId,
      LOGWARD_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = new Tail();
  const stderr = new Tail();
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (c: string) => stderr.push(c));
  proc.stdout?.setEncoding('utf8');

  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => resolve(code));
  });

  const url = await new Promise<string>((resolve, reject) => {
    let pending = '';
    let settled = false;
    const finish = (err: Error | undefined, value?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err !== undefined) reject(err);
      else resolve(value ?? '');
    };
    const describe = (): string =>
      `\n--- stderr ---\n${stderr.toString()}\n--- stdout ---\n${stdout.toString()}`;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      finish(new Error(`Logward did not print "Logward listening on" within ${START_TIMEOUT_MS} ms${describe()}`));
    }, START_TIMEOUT_MS);
    proc.stdout?.on('data', (c: string) => {
      stdout.push(c);
      if (settled) return;
      pending += c;
      const m = /Logward listening on (https?:\/\/[^\s"'\\]+)/.exec(pending);
      if (m?.[1] !== undefined) finish(undefined, m[1].replace(/\/+$/, ''));
      else if (pending.length > KEEP_OUTPUT_CHARS) pending = pending.slice(-1024);
    });
    proc.once('error', (err) => finish(new Error(`could not spawn Logward: ${err.message}`, { cause: err })));
    proc.once('exit', (code, signal) =>
      finish(new Error(`Logward exited (code ${String(code)}, signal ${String(signal)}) before listening${describe()}`)),
    );
  });

  const port = Number(new URL(url).port);
  const client = makeClient(url, credentials);

  const waitExit = async (): Promise<number | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
    });
    const r = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (r === 'timeout') {
      proc.kill('SIGKILL');
      await exited;
      throw new Error(`Logward did not exit within ${STOP_TIMEOUT_MS} ms; killed it\n${stderr.toString()}`);
    }
    return r;
  };

  return {
    url,
    port,
    dataDir,
    credentials,
    client,
    proc,
    async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
      client.destroy();
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return waitExit();
    },
    async kill(): Promise<void> {
      client.destroy();
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
    output: () => ({ stdout: stdout.toString(), stderr: stderr.toString() }),
  };
}

/** Stops the server (SIGTERM) and removes its data dir; for `after` hooks. */
export async function stopAndClean(srv: LogwardServer | undefined): Promise<void> {
  if (srv === undefined) return;
  try {
    await srv.stop();
  } finally {
    await rm(srv.dataDir, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, or undefined when stdout is empty. */
  json: unknown;
}

/**
 * Runs `aws <service> <args> --endpoint-url <url> --region us-east-1 --output json` (service `logs`
 * unless told) with the test keys (or `srv.credentials`) and empty config files, so the machine's own
 * AWS configuration cannot interfere.
 */
export async function awsCli(args: string[], srv: Pick<LogwardServer, 'url' | 'credentials'>, service = 'logs'): Promise<CliResult> {
  const dir = await mkdtemp(join(tmpdir(), 'logward-cli-'));
  try {
    const config = join(dir, 'config');
    const creds = join(dir, 'credentials');
    await writeFile(config, '');
    await writeFile(creds, '');
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith('AWS_')) env[k] = v;
    }
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: srv.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: srv.credentials.secretAccessKey,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: creds,
      AWS_DEFAULT_REGION: TEST_REGION,
      AWS_MAX_ATTEMPTS: '1',
      AWS_PAGER: '',
      HOME: dir,
    });
    const argv = [service, ...args, '--endpoint-url', srv.url, '--region', TEST_REGION, '--output', 'json'];
    return await new Promise<CliResult>((resolve, reject) => {
      const child = spawn('aws', argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
      child.once('error', reject);
      child.once('close', (code) => {
        let json: unknown;
        if (out.trim() !== '') {
          try {
            json = JSON.parse(out);
          } catch (e) {
            reject(new Error(`aws ${argv.join(' ')} printed non-JSON output: ${out}`, { cause: e }));
            return;
          }
        }
        resolve({ code, stdout: out, stderr: err, json });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the compiled `logward <args> --endpoint-url <srv.url>` with the server's root keys. `isolated`:
 * with only PATH and HOME (the server's data dir) from this environment, so that no configuration of
 * the machine or of the test process reaches the command.
 */
export function runLogward(
  srv: Pick<LogwardServer, 'url' | 'credentials'> & { dataDir?: string },
  args: string[],
  opts: { isolated?: boolean } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const keys = { LOGWARD_ACCESS_KEY_ID: srv.credentials.accessKeyId, LOGWARD_SECRET_ACCESS_KEY: srv.credentials.secretAccessKey };
  const env = opts.isolated === true
    ? { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: srv.dataDir ?? tmpdir(), ...keys }
    : { ...process.env, ...keys, AWS_REGION: TEST_REGION };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN_JS, ...args, '--endpoint-url', srv.url], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
