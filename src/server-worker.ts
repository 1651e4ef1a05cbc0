/**
 * Runs the server in a worker thread, so its JavaScript heap has a hard cap (resourceLimits) without
 * any command-line flag: V8 otherwise lets garbage (request bodies, parsed batches) pile up to several
 * GiB before collecting it. The process is still one process: a SIGKILL kills the server with it,
 * which is what the durability guarantees are stated against.
 *
 * Protocol: the worker posts {type:'ready', ...} or {type:'error', message}; the parent posts 'close'
 * and the worker answers {type:'closed'} once everything is sealed and the database is closed.
 */
import { setFlagsFromString } from 'node:v8';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { ServerConfig } from './config.js';
import type { RunningServer } from './server.js';

/** Old-generation cap of the server's heap; the hot tier (maxHotBytes) must fit well inside it. */
export const SERVER_HEAP_MB = 640;

/**
 * Old-generation size the server's heap starts with, MiB (V8's --initial-old-space-size): V8 runs no
 * full collection before the old generation reaches it. Every message ingest keeps in the hot tier is
 * promoted to the old generation, and is garbage once its WAL file is sealed; from V8's small default
 * start, full collections came every 70,000 to 100,000 events of 200 bytes (9 to 13 for 920,000), each
 * marking and sweeping the whole hot tier. With 192: 1 for 920,000. Measured with bench/ingest-cost.ts
 * (920,000 agent-like events, 4 rounds alternating, machine at load 7): server CPU during the sends
 * 4.21-4.28 µs/event against 4.68-4.87, event loop 2.22 against 2.32; 256 gave the same CPU for about
 * 40 MiB more peak RSS (bench/agent-cost.ts, 512 MiB: peak RSS 632 against 583-614 MiB with 192, 658-691
 * with 256). V8 caps it at half the heap's cap (SERVER_HEAP_MB).
 */
export const SERVER_INITIAL_OLD_MB = 192;

type FromWorker =
  | { type: 'ready'; url: string; port: number; credentials: RunningServer['credentials']; generatedCredentials: boolean }
  | { type: 'error'; message: string }
  | { type: 'closed' };

export async function startServerInWorker(config: ServerConfig): Promise<RunningServer> {
  // V8's heap flags are the process's, read when an isolate is made: this one is set for the server's
  // heap, made next on the worker's thread, and set back to V8's default (0: a start sized from the cap)
  // once that thread runs, before the server makes worker threads of its own (metric filters,
  // subscription encoding), whose heaps hold little for long.
  setFlagsFromString(`--initial-old-space-size=${SERVER_INITIAL_OLD_MB}`);
  const worker = new Worker(new URL(import.meta.url), {
    workerData: config,
    resourceLimits: { maxOldGenerationSizeMb: SERVER_HEAP_MB, maxYoungGenerationSizeMb: 64 },
    stdout: false,
    stderr: false,
  });
  worker.once('online', () => setFlagsFromString('--initial-old-space-size=0'));
  let onClosed: (() => void) | undefined;
  const ready = await new Promise<Extract<FromWorker, { type: 'ready' }>>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'error') reject(new Error(m.message));
      else if (m.type === 'closed') onClosed?.();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the server stopped during start-up (exit ${code})`)));
  });
  // After start-up, a dead server thread means a dead server: say why and end the process.
  worker.on('error', (e) => {
    process.stderr.write(`logward: the server failed: ${e.stack ?? e.message}\n`);
    process.exit(1);
  });
  let closing: Promise<void> | undefined;
  return {
    url: ready.url,
    port: ready.port,
    credentials: ready.credentials,
    generatedCredentials: ready.generatedCredentials,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        onClosed = resolve;
        worker.postMessage('close');
      }).then(async () => {
        await worker.terminate();
      })),
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { startServer } = await import('./server.js');
  try {
    const server = await startServer(workerData as ServerConfig);
    port.on('message', (m: unknown) => {
      if (m !== 'close') return;
      void server.close().then(() => port.postMessage({ type: 'closed' } satisfies FromWorker));
    });
    port.postMessage({
      type: 'ready',
      url: server.url,
      port: server.port,
      credentials: server.credentials,
      generatedCredentials: server.generatedCredentials,
    } satisfies FromWorker);
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message } satisfies FromWorker);
  }
}
