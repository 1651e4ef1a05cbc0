/**
 * Syslog input: TCP (RFC 6587: octet counting, `<len> <message>`, and newline framing, told apart per
 * frame by its first byte: a digit or `<`) and UDP (one message a datagram), on the ports given by
 * `--syslog-tcp-port` and `--syslog-udp-port`, on the server's listen address.
 *
 * Where messages go: the log group `--syslog-log-group` (default `syslog`), one log stream per sending
 * host (the message's HOSTNAME, else the peer's address; `:` and `*` become `_`). Both are created when
 * missing. Each event's message is JSON with the parsed fields (syslog-parse.ts), so Logs Insights
 * discovers them; its timestamp is the message's, else the time of receipt. A message that does not
 * parse is kept as `{"raw": ..., "parseError": ...}` at the time of receipt, and counted in /metrics.
 *
 * Messages are batched per stream for up to 100 ms or 1,000 events, then written like a PutLogEvents
 * batch (write-ahead log, metric filters, subscriptions). Syslog has no acknowledgement: what was
 * received but not yet written when the process dies is lost, as with any syslog receiver. There is no
 * authentication either: listen only where senders are trusted.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { LogStore } from '../store/store.js';
import type { Family } from '../metrics/prometheus.js';
import { parseSyslog } from './syslog-parse.js';

/** Longest message kept (CloudWatch's event size limit); longer ones are cut. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
const FLUSH_MS = 100;
const FLUSH_EVENTS = 1000;

export interface SyslogOptions {
  store: LogStore;
  clock: Clock;
  logger: Logger;
  host: string;
  /** undefined: no listener; 0: a free port. */
  tcpPort: number | undefined;
  udpPort: number | undefined;
  logGroup: string;
}

type Transport = 'tcp' | 'udp';

interface Pending {
  events: { timestamp: number; message: string }[];
}

export class SyslogInput {
  private tcp: Server | undefined;
  private udp: UdpSocket | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  readonly counts = { tcp: { messages: 0, parseErrors: 0 }, udp: { messages: 0, parseErrors: 0 }, writeFailures: 0 };

  private constructor(private readonly opts: SyslogOptions) {}

  static async start(opts: SyslogOptions): Promise<SyslogInput> {
    const input = new SyslogInput(opts);
    try {
      if (opts.tcpPort !== undefined) await input.listenTcp(opts.tcpPort);
      if (opts.udpPort !== undefined) await input.listenUdp(opts.udpPort);
    } catch (e) {
      await input.close();
      throw e;
    }
    return input;
  }

  get tcpPort(): number | undefined {
    const a = this.tcp?.address();
    return typeof a === 'object' && a !== null ? a.port : undefined;
  }

  get udpPort(): number | undefined {
    return this.udp?.address().port;
  }

  private listenTcp(port: number): Promise<void> {
    const server = createServer((socket) => this.onConnection(socket));
    this.tcp = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  private listenUdp(port: number): Promise<void> {
    const socket = createSocket(this.opts.host.includes(':') ? 'udp6' : 'udp4');
    this.udp = socket;
    socket.on('message', (msg, rinfo) => this.receive(trimEnd(msg.subarray(0, MAX_MESSAGE_BYTES)).toString('utf8'), rinfo.address, 'udp'));
    socket.on('error', (err) => this.opts.logger.warn({ err }, 'syslog UDP socket error'));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.opts.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  }

  private onConnection(socket: Socket): void {
    this.sockets.add(socket);
    const peer = socket.remoteAddress ?? 'unknown';
    let buf: Buffer = Buffer.alloc(0);
    const frames = (final: boolean): void => {
      for (;;) {
        if (buf.length === 0) return;
        const first = buf[0]!;
        if (first === 0x0a || first === 0x0d || first === 0x20) {
          buf = buf.subarray(1); // blank lines and stray separators between frames
          continue;
        }
        if (first >= 0x30 && first <= 0x39) {
          // Octet counting: MSG-LEN SP MSG.
          const sp = buf.indexOf(0x20);
          const digits = sp < 0 ? buf.length : sp;
          if (sp < 0 && digits < 10 && !final) return;
          const len = Number(buf.subarray(0, digits).toString('latin1'));
          if (sp < 0 || digits >= 10 || !/^\d+$/.test(buf.subarray(0, digits).toString('latin1'))) {
            // Not a length after all: take the line as it is.
            if (!this.takeLine(final, peer, (b) => (buf = b), buf)) return;
            continue;
          }
          if (buf.length < sp + 1 + len && !final) {
            if (len > 8 * MAX_MESSAGE_BYTES) socket.destroy(); // refuses to buffer a huge frame
            return;
          }
          this.receive(buf.subarray(sp + 1, Math.min(sp + 1 + len, sp + 1 + MAX_MESSAGE_BYTES)).toString('utf8'), peer, 'tcp');
          buf = buf.subarray(Math.min(buf.length, sp + 1 + len));
          continue;
        }
        if (!this.takeLine(final, peer, (b) => (buf = b), buf)) return;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      frames(false);
    });
    socket.on('end', () => frames(true));
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** Newline framing: one message up to LF (CR LF too); false when the line is not complete yet. */
  private takeLine(final: boolean, peer: string, set: (b: Buffer) => void, buf: Buffer): boolean {
    const lf = buf.indexOf(0x0a);
    if (lf < 0 && !final && buf.length <= MAX_MESSAGE_BYTES) return false;
    const end = lf < 0 ? Math.min(buf.length, MAX_MESSAGE_BYTES) : lf;
    this.receive(trimEnd(buf.subarray(0, Math.min(end, MAX_MESSAGE_BYTES))).toString('utf8'), peer, 'tcp');
    set(buf.subarray(lf < 0 ? end : lf + 1));
    return true;
  }

  private receive(line: string, peer: string, transport: Transport): void {
    if (line === '') return;
    const now = this.opts.clock.now();
    const parsed = parseSyslog(line, now);
    this.counts[transport].messages++;
    let stream: string;
    let event: { timestamp: number; message: string };
    if (parsed.ok) {
      const r = parsed.record;
      stream = r.hostname ?? peer;
      // Timestamps more than 2 hours ahead are refused by PutLogEvents: those get the time of receipt.
      const ts = r.timestamp !== null && r.timestamp <= now + 2 * 3_600_000 && r.timestamp > 0 ? r.timestamp : now;
      event = { timestamp: ts, message: JSON.stringify({ ...r, timestamp: undefined }) };
    } else {
      this.counts[transport].parseErrors++;
      stream = peer;
      event = { timestamp: now, message: JSON.stringify({ raw: line, parseError: parsed.error }) };
    }
    stream = stream.replace(/[:*]/g, '_').slice(0, 512) || 'unknown';
    let p = this.pending.get(stream);
    if (!p) this.pending.set(stream, (p = { events: [] }));
    p.events.push(event);
    if (p.events.length >= FLUSH_EVENTS) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes every pending batch, one write after the other. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = [...this.pending];
    this.pending.clear();
    const run = this.writing.then(async () => {
      for (const [stream, p] of batches) {
        try {
          await this.write(stream, p.events);
        } catch (err) {
          this.counts.writeFailures += p.events.length;
          this.opts.logger.error({ err, stream, events: p.events.length }, 'syslog events could not be written');
        }
      }
    });
    this.writing = run;
    return run;
  }

  private async write(streamName: string, events: { timestamp: number; message: string }[]): Promise<void> {
    const { store, clock, logGroup } = this.opts;
    const now = clock.now();
    const { g, s } = await store.withWriteLock(async () => {
      const g = store.catalog.groups.get(logGroup) ?? (await store.catalog.createGroup(logGroup, now, {}, null, 'STANDARD'));
      const s = g.streams.get(streamName) ?? (await store.catalog.createStream(g, streamName, now));
      return { g, s };
    });
    // In time order, as PutLogEvents wants a batch (stable: equal timestamps keep their order of arrival).
    const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
    await store.appendEvents(g, s, sorted, now);
  }

  families(): Family[] {
    const by = (f: (c: { messages: number; parseErrors: number }) => number): Family['samples'] =>
      (['tcp', 'udp'] as const).map((t) => ({ labels: [['transport', t] as const], value: f(this.counts[t]) }));
    return [
      { name: 'logward_syslog_messages_total', help: 'Syslog messages received.', type: 'counter', samples: by((c) => c.messages) },
      { name: 'logward_syslog_parse_errors_total', help: 'Syslog messages that did not parse (kept as raw events with a parseError field).', type: 'counter', samples: by((c) => c.parseErrors) },
      { name: 'logward_syslog_write_failures_total', help: 'Syslog events received that could not be written.', type: 'counter', samples: [{ labels: [], value: this.counts.writeFailures }] },
    ];
  }

  /** Stops listening, then writes what was received. */
  async close(): Promise<void> {
    const tcp = this.tcp;
    if (tcp) {
      const closed = new Promise<void>((r) => tcp.close(() => r()));
      for (const s of this.sockets) s.end();
      setTimeout(() => {
        for (const s of this.sockets) s.destroy();
      }, 1000).unref();
      await closed;
    }
    if (this.udp) await new Promise<void>((r) => this.udp!.close(() => r()));
    await this.flush();
  }
}

function trimEnd(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x0a || b[end - 1] === 0x0d || b[end - 1] === 0x00)) end--;
  return b.subarray(0, end);
}
