#!/usr/bin/env node
/** The `logward` command: connects the program to this process (argv, environment, streams, signals). */
import { readFile } from 'node:fs/promises';
import { systemClock } from '../clock.js';
import { EXIT, type CliContext } from './context.js';
import { run } from './program.js';

// The SDK warns on every run that its releases from 2027 need Node 22; the project runs on Node 20 by
// decision (ARCHITECTURE.md), so the notice is noise for `logward` users. Set it to "false" to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `logward tail app | head` closes the pipe early: stop quietly, as other Unix tools do, rather than crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  throw error;
});

let interrupt: AbortController | undefined;

/** The first SIGINT/SIGTERM aborts (the command stops cleanly); a second one exits 1 at once. */
function interruptSignal(): AbortSignal {
  if (interrupt === undefined) {
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      if (controller.signal.aborted) process.exit(EXIT.failure);
      controller.abort(new Error(`stopped by ${signal}`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    interrupt = controller;
  }
  return interrupt.signal;
}

const ctx: CliContext = {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  clock: systemClock,
  readFile: (path) => readFile(path, 'utf8'),
  interruptSignal,
};

const code = await run(process.argv, ctx);
// Exit once stdout and stderr are flushed (a write to a full pipe completes later), rather than when the
// event loop drains: stdin may still be open, when `put` was stopped by Ctrl-C.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
