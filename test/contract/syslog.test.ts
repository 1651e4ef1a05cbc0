/**
 * Contract: syslog over TCP (octet counting and newline framing, frames split across writes) and UDP
 * into the real server, read back through the AWS SDK; unparsable lines kept as raw events with a
 * parseError field and counted in GET /metrics.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { DescribeLogGroupsCommand, FilterLogEventsCommand, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { waitFor } from '../../src/subscriptions/testing.js';

let srv: LogwardServer;
let tcpPort = 0;
let udpPort = 0;
const GROUP = 'syslog-test';

const freeTcpPort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

const freeUdpPort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });

before(async () => {
  tcpPort = await freeTcpPort();
  udpPort = await freeUdpPort();
  srv = await startLogward({ args: ['--syslog-tcp-port', String(tcpPort), '--syslog-udp-port', String(udpPort), '--syslog-log-group', GROUP] });
});

after(async () => {
  await stopAndClean(srv);
});

/** A whole second a minute ago: message timestamps must not be ahead of the server's clock. */
const BASE = Math.floor(Date.now() / 1000) * 1000 - 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** RFC 3164's `Mmm dd hh:mm:ss`, UTC. */
const bsd = (ms: number): string => {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
};

async function events(stream?: string): Promise<{ timestamp: number; fields: Record<string, unknown> }[]> {
  const out: { timestamp: number; fields: Record<string, unknown> }[] = [];
  let nextToken: string | undefined;
  // The group and streams are created with the first write.
  if (!(await srv.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: GROUP }))).logGroups?.some((g) => g.logGroupName === GROUP)) return [];
  do {
    const page = await srv.client.send(new FilterLogEventsCommand({ logGroupName: GROUP, ...(stream ? { logStreamNames: [stream] } : {}), nextToken }));
    for (const e of page.events ?? []) out.push({ timestamp: e.timestamp!, fields: JSON.parse(e.message!) as Record<string, unknown> });
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return out;
}

async function sendTcp(chunks: (string | Buffer)[]): Promise<void> {
  const socket = connect(tcpPort, '127.0.0.1');
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  for (const c of chunks) {
    await new Promise<void>((r) => socket.write(c, () => r()));
    await new Promise((r) => setTimeout(r, 10)); // separate segments, so frames arrive split
  }
  await new Promise<void>((r) => socket.end(r));
}

test('TCP: octet counting and newline framing, split across writes; one stream per host; fields and timestamps', async () => {
  const m1 = `<165>1 ${iso(BASE)} web-1 nginx 17 ACCESS [req@1 path="/a b"] GET /a b 200`;
  const m2 = `<34>1 ${iso(BASE + 1000)} web-1 nginx 17 - - multi\nline message`;
  const counted = `${Buffer.byteLength(m1)} ${m1}${Buffer.byteLength(m2)} ${m2}`;
  await sendTcp([counted.slice(0, 10), counted.slice(10, 90), counted.slice(90)]);
  const lines = `<13>${bsd(BASE + 2000)} db-1 postgres[99]: checkpoint starting\r\n<13>${bsd(BASE + 3000)} db-1 postgres[99]: checkpoint complete\n`;
  await sendTcp([lines.slice(0, 30), lines.slice(30)]);
  await waitFor('four TCP events', async () => (await events()).length >= 4);
  const web = await events('web-1');
  assert.deepEqual(
    web.map((e) => [e.timestamp, e.fields.appName, e.fields.procId, e.fields.msgId, e.fields.severity, e.fields.message, e.fields.structuredData]),
    [
      [BASE, 'nginx', '17', 'ACCESS', 'notice', 'GET /a b 200', { 'req@1': { path: '/a b' } }],
      [BASE + 1000, 'nginx', '17', null, 'crit', 'multi\nline message', null],
    ],
  );
  const db = await events('db-1');
  assert.deepEqual(
    db.map((e) => [e.timestamp, e.fields.format, e.fields.hostname, e.fields.appName, e.fields.procId, e.fields.message]),
    [
      [BASE + 2000, 'rfc3164', 'db-1', 'postgres', '99', 'checkpoint starting'],
      [BASE + 3000, 'rfc3164', 'db-1', 'postgres', '99', 'checkpoint complete'],
    ],
  );
  const streams = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
  assert.deepEqual(new Set(streams.logStreams?.map((s) => s.logStreamName)), new Set(['web-1', 'db-1']));
});

test('UDP datagrams, and unparsable lines kept as raw events with parseError, counted in /metrics', async () => {
  const udp = createSocket('udp4');
  const send = (text: string): Promise<void> => new Promise((r, j) => udp.send(Buffer.from(text), udpPort, '127.0.0.1', (e) => (e ? j(e) : r())));
  await send(`<14>1 ${iso(BASE + 5000)} app-7 worker - - - started\n`);
  await send('this is not syslog');
  udp.close();
  await sendTcp(['<13>garbage over tcp\n']);
  await waitFor('the UDP event and the two raw ones', async () => (await events()).filter((e) => e.fields.hostname === 'app-7' || 'parseError' in e.fields).length >= 3);
  const all = await events();
  const worker = all.find((e) => e.fields.hostname === 'app-7');
  assert.deepEqual([worker?.fields.appName, worker?.fields.message, worker?.timestamp], ['worker', 'started', BASE + 5000]);
  const raw = all.filter((e) => 'parseError' in e.fields).map((e) => e.fields.raw).sort();
  assert.deepEqual(raw, ['<13>garbage over tcp', 'this is not syslog']);
  // Raw events go to a stream named after the sender's address.
  assert.equal((await events('127.0.0.1')).length, 2);

  const text = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(text, /^logward_syslog_parse_errors_total\{transport="udp"\} 1$/m);
  assert.match(text, /^logward_syslog_parse_errors_total\{transport="tcp"\} 1$/m);
  assert.match(text, /^logward_syslog_messages_total\{transport="udp"\} 2$/m);
  assert.match(text, /^logward_syslog_messages_total\{transport="tcp"\} 5$/m);
});
