/**
 * A real SMTP server for tests: Debian's aiosmtpd (package python3-aiosmtpd, installed by .ci/run) on a
 * loopback port, writing each message it accepts to a Maildir. With `tls` (the default) it offers STARTTLS
 * with a self-signed certificate made here by the openssl CLI (for 127.0.0.1 and localhost) and requires
 * it before MAIL FROM; without, it speaks plain SMTP only.
 *
 * The certificate is its own CA: a client trusts it by taking `caPem` as its CA bundle.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const AIOSMTPD = '/usr/bin/aiosmtpd';

export interface SmtpServer {
  port: number;
  /** `smtp://127.0.0.1:<port>` */
  url: string;
  /** The self-signed certificate (PEM), when TLS is on; also at caFile. */
  caPem: string;
  caFile: string;
  /** The raw messages received so far, oldest first. */
  messages(): Promise<string[]>;
  /** Resolves with the raw messages once at least `n` were received (the test's timeout bounds it). */
  waitFor(n: number): Promise<string[]>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resolves once the server greets a client with 220. */
async function greeted(port: number, proc: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`aiosmtpd exited with ${proc.exitCode}: ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.setEncoding('utf8');
      c.once('data', (d: string) => {
        c.destroy();
        resolve(d.startsWith('220'));
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (i > 200) throw new Error(`aiosmtpd did not start: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startSmtp(opts: { tls?: boolean } = {}): Promise<SmtpServer> {
  const tls = opts.tls ?? true;
  const dir = await mkdtemp(join(tmpdir(), 'logward-smtp-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  if (tls) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  }
  const maildir = join(dir, 'mail');
  const port = await freePort();
  const args = ['-n', '-l', `127.0.0.1:${port}`, ...(tls ? ['--tlscert', cert, '--tlskey', key] : []), '-c', 'aiosmtpd.handlers.Mailbox', maildir];
  const proc = spawn(AIOSMTPD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-8000)));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-8000)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  try {
    await greeted(port, proc, () => out);
  } catch (e) {
    proc.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const messages = async (): Promise<string[]> => {
    const names = await readdir(join(maildir, 'new')).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [] as string[];
      throw e;
    });
    // Maildir names start with the delivery time in seconds; a stable order within one second is enough here.
    return Promise.all(names.sort().map((n) => readFile(join(maildir, 'new', n), 'utf8')));
  };
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    caPem: tls ? await readFile(cert, 'utf8') : '',
    caFile: cert,
    messages,
    waitFor: async (n) => {
      for (;;) {
        const m = await messages();
        if (m.length >= n) return m;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A header of a raw message, with RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`) decoded. */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  if (line === undefined) return undefined;
  return line
    .slice(name.length + 1)
    .trim()
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    );
}
