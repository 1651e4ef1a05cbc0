/**
 * What a command may touch of the outside world. main.ts builds it from `process`; tests build their own.
 * The CLI is the one place that reads the environment, and it reads it only through `env` here.
 */
import type { Clock } from '../clock.js';

/** A place to write text: process.stdout or process.stderr, or a buffer in tests. */
export interface TextOut {
  write(text: string): unknown;
  /** True when a person is watching: progress and truncation to the terminal width happen only then. */
  readonly isTTY?: boolean;
  /** Terminal width in columns, when known. */
  readonly columns?: number;
}

export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: AsyncIterable<Buffer | string> | Iterable<Buffer | string>;
  readonly stdout: TextOut;
  readonly stderr: TextOut;
  readonly clock: Clock;
  /** Reads a UTF-8 file; the credentials file is read through it. */
  readFile(path: string): Promise<string>;
  /**
   * For long work (serve, put, tail --follow): the first call takes over SIGINT and SIGTERM, so that the
   * first of them aborts the returned signal (stop cleanly) and a second one exits 1 at once. Commands
   * that never call it keep Node's default: a signal ends them.
   */
  interruptSignal(): AbortSignal;
}

/** A mistake in the command line (bad duration, conflicting options): printed as `logward: <message>`, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes of the `logward` command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
