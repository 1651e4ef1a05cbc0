/**
 * A real moto_server (preinstalled on dev and CI machines; S3 and KMS over their AWS protocols) on a free
 * loopback port, for the tests of what Logward sends to S3 or KMS. stop() waits for its exit.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** Credentials moto accepts (any); the region its resources are made in. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
export const MOTO_REGION = 'us-east-1';

export interface Moto {
  endpoint: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `moto_server exited (${code ?? signal})`;
      resolve();
    }),
  );
  child.once('error', (e) => (exited = `moto_server could not start: ${e.message}`));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await gone;
  };
  for (let attempt = 0; ; attempt++) {
    if (exited !== undefined) throw new Error(exited);
    try {
      await (await fetch(`${endpoint}/moto-api/`)).arrayBuffer();
      return { endpoint, stop };
    } catch {
      if (attempt >= 600) {
        await stop();
        throw new Error(`moto_server did not answer at ${endpoint}`);
      }
      await new Promise((r) => setTimeout(r, 100)); // not listening yet
    }
  }
}
