/**
 * The fixed fixture of logs the Logs Insights golden tests run against: several groups, a few streams,
 * the kinds of events people query (JSON application logs, text, Lambda lines with JSON after a
 * prefix, nginx access lines, CloudTrail records), one minute apart from T0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../../clock.js';
import type { LogGroup } from '../../../store/catalog.js';
import type { LogStore } from '../../../store/store.js';
import { appendEvents, openTestStore } from '../../../store/testing.js';

export const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const MIN = 60_000;

export interface FixtureEvent {
  group: string;
  stream: string;
  ts: number;
  message: string;
}

const app = (level: string, msg: string, status: number, latency: number, user: string, path: string): string =>
  JSON.stringify({ level, msg, status, latency_ms: latency, user: { id: user, roles: user === 'u1' ? ['admin', 'dev'] : ['dev'] }, path });

const nginx = (ip: string, minute: number, method: string, path: string, status: number, bytes: number): string =>
  `${ip} - - [01/Nov/2026:00:${String(minute).padStart(2, '0')}:00 +0000] "${method} ${path} HTTP/1.1" ${status} ${bytes} "-" "curl/8.0"`;

const trail = (eventName: string, ip: string, user: string, errorCode?: string): string =>
  JSON.stringify({
    eventVersion: '1.08',
    eventSource: eventName === 'ConsoleLogin' ? 'signin.amazonaws.com' : 'iam.amazonaws.com',
    eventName,
    sourceIPAddress: ip,
    userIdentity: { type: 'IAMUser', userName: user },
    ...(errorCode ? { errorCode } : {}),
    responseElements: eventName === 'ConsoleLogin' ? { ConsoleLogin: errorCode ? 'Failure' : 'Success' } : null,
  });

export const FIXTURE: FixtureEvent[] = [
  // /app/api: JSON application logs, text lines, Lambda-style lines.
  ...[
    ['web-1', app('info', 'request served', 200, 12, 'u1', '/api/items')],
    ['web-2', app('info', 'request served', 200, 30, 'u2', '/api/items')],
    ['web-1', app('warn', 'slow request', 200, 950, 'u3', '/api/search')],
    ['web-1', '2026-11-01T00:03:00Z INFO worker started pid=4242'],
    ['web-2', app('error', 'upstream failed', 502, 1500, 'u1', '/api/orders')],
    ['web-1', app('info', 'request served', 404, 5, 'u2', '/api/missing')],
    ['web-2', 'START RequestId: 8f3c Version: $LATEST'],
    ['web-2', '2026-11-01T00:07:00.000Z\t8f3c\tERROR\t{"errorType":"TypeError","message":"x is undefined","requestId":"8f3c"}'],
    ['web-1', app('error', 'database timeout', 500, 3000, 'u3', '/api/orders')],
    ['web-1', app('info', 'request served', 200, 18, 'u1', '/api/items')],
    ['web-2', 'Exception in thread "main" java.lang.IllegalStateException: bad state'],
    ['web-1', app('info', 'request served', 201, 44, 'u4', '/api/orders')],
    ['web-2', app('warn', 'retrying', 200, 700, 'u2', '/api/search')],
    ['web-1', 'user=alice action=login result=ok'],
    ['web-1', 'user=bob action=logout result=ok'],
    ['web-2', app('info', 'request served', 200, 9, 'u1', '/api/items')],
  ].map(([stream, message], i) => ({ group: '/app/api', stream: stream!, ts: T0 + i * MIN, message: message! })),
  // /web/nginx: access lines.
  ...[
    nginx('203.0.113.5', 1, 'GET', '/index.html', 200, 512),
    nginx('198.51.100.7', 2, 'GET', '/about.html', 200, 1024),
    nginx('203.0.113.5', 4, 'POST', '/login', 302, 0),
    nginx('192.0.2.44', 6, 'GET', '/admin', 403, 128),
    nginx('203.0.113.9', 9, 'GET', '/index.html', 200, 512),
    nginx('2001:db8::1', 12, 'GET', '/missing.html', 404, 64),
    nginx('198.51.100.7', 14, 'GET', '/index.html', 500, 32),
  ].map((message, i) => ({ group: '/web/nginx', stream: 'i-0abc', ts: T0 + (i * 2 + 1) * MIN, message })),
  // /aws/cloudtrail: CloudTrail records.
  ...[
    trail('ConsoleLogin', '203.0.113.5', 'alice'),
    trail('ConsoleLogin', '198.51.100.7', 'bob', 'Failed authentication'),
    trail('CreateUser', '203.0.113.5', 'alice'),
    trail('DeleteUser', '2001:db8::1', 'mallory', 'AccessDenied'),
    trail('ConsoleLogin', '198.51.100.7', 'bob', 'Failed authentication'),
  ].map((message, i) => ({ group: '/aws/cloudtrail', stream: '123456789012_CloudTrail_us-east-1', ts: T0 + (i * 3 + 2) * MIN, message })),
  // /app/batch: JSON with lists (unnest) and numbers to add up (addtotals).
  ...[
    { events: [{ name: 'exception' }, { name: 'user action' }] },
    { accounts: [{ accountId: '111', type: 'internal', droppedSpans: 3 }, { accountId: '222', type: 'external', droppedSpans: 5 }] },
    { accounts: [{ accountId: '111', type: 'internal', droppedSpans: 4 }], events: [] },
    { events: { name: 'single' }, tags: 'solo' },
    { trimmedData: JSON.stringify([{ accountId: '222', droppedSpans: 7 }, { accountId: '333', droppedSpans: 1 }]) },
    { order: 'A1', price: 10.5, tax: 2.1, qty: 3 },
    { order: 'A2', price: 4, tax: 'n/a', qty: 1 },
    { order: 'A3', price: 20, tax: 4, qty: 2, tags: ['x', 7, null, { k: 'v' }] },
  ].map((doc, i) => ({ group: '/app/batch', stream: 'batch-1', ts: T0 + (i * 2 + 1) * MIN, message: JSON.stringify(doc) })),
  // /app/legacy: comma-separated lines (parse ... csv), and JSON after a text prefix (json field=).
  ...[
    '2026-11-01T00:01:00Z,INFO,service started',
    '2026-11-01T00:03:00Z,ERROR,"disk full, 98% used"',
    '2026-11-01T00:05:00Z,WARN,"said ""hi"" twice"',
    '2026-11-01T00:07:00Z,ERROR,',
    'web-1,GET,/api/users,200,15',
    'web-2,POST,/api/orders,500,42',
    'web-1,GET,/api/users,200,25',
    'payload {"user":{"name":"alice","ids":[7,8]},"ip":"203.0.113.5"} from 10.0.0.1 and 10.0.0.2',
    'payload {"user":{"name":"bob"}} from 10.0.0.1',
  ].map((message, i) => ({ group: '/app/legacy', stream: 'legacy-1', ts: T0 + (i * 2 + 1) * MIN, message })),
  // /app/series: metrics with gaps in time and in fields (accum, autoregress, filldown, fillmissing,
  // sessionize, countFrequent), at the minutes given.
  ...([
    [0, { host: 'h1', cpu_user: 10, cpu_system: 5, bytes: 100, latency: 10, userId: 'u1', deviceId: 'd1', method: 'GET', status: 200 }],
    [1, { cpu_user: 12, bytes: 200, latency: 20, userId: 'u1', deviceId: 'd1', method: 'GET', status: 200 }],
    [2, { host: 'h2', cpu_system: 7, bytes: 50, latency: 30, userId: 'u2', deviceId: 'd1', method: 'POST', status: 500 }],
    [5, { bytes: 'n/a', latency: 40, userId: 'u1', deviceId: 'd1', method: 'GET', status: 404 }],
    [6, { host: 'h1', cpu_user: 15, bytes: 300, latency: 50, userId: 'u1', deviceId: 'd2', method: 'GET', status: 200 }],
    [15, { bytes: 75, latency: 60, userId: 'u1', deviceId: 'd1', method: 'GET', status: 200 }],
    [16, { bytes: 10, latency: 70, deviceId: 'd1', method: 'POST', status: 500 }],
  ] as const).map(([minute, doc]) => ({ group: '/app/series', stream: 'metrics-1', ts: T0 + minute * MIN, message: JSON.stringify(doc) })),
  // /app/net: addresses to look up in CIDR ranges (cidrlookup), numbers with outliers (outlier): cpu 95
  // is above the upper fence, 2 below the lower one; memory 2048 and 4096 are above.
  ...[
    { srcAddr: '10.1.2.3', svc: 'api', cpu: 20, memory: 512 },
    { srcAddr: '10.1.9.9', svc: 'api', cpu: 22, memory: 530 },
    { srcAddr: '10.200.0.5', svc: 'web', cpu: 25, memory: 500 },
    { srcAddr: '192.168.1.10', svc: 'web', cpu: 21, memory: 520, region: 'onprem' },
    { srcAddr: '2001:db8:1::7', svc: 'api', cpu: 95, memory: 2048 },
    { srcAddr: '203.0.113.5', svc: 'web', cpu: 24, memory: 515 },
    { srcAddr: 'not-an-ip', svc: 'api', cpu: 23, memory: 505 },
    { srcAddr: '10.1.2.4', svc: 'web', cpu: 2, memory: 510 },
    { svc: 'api', cpu: 26, memory: 4096, region: 'preset' },
    { srcAddr: '172.16.0.1', svc: 'web', cpu: 19, memory: 525 },
  ].map((doc, i) => ({ group: '/app/net', stream: 'net-1', ts: T0 + (i * 2 + 1) * MIN, message: JSON.stringify(doc) })),
];

export const FIXTURE_END = T0 + 20 * MIN;

/**
 * Lookup tables (CSV, as CreateLookupTable takes them): `users` has a second row for u1 (the first
 * wins), no row for u4 and an empty cell; `statuses` is keyed by the numbers /app/api's `status` holds.
 */
export const FIXTURE_LOOKUP_TABLES: Record<string, string> = {
  users: 'id,name,team,email\nu1,Alice,platform,alice@example.com\nu2,Bob,search,bob@example.com\nu3,Carol,platform,\nu1,Alice Again,other,again@example.com\n',
  statuses: 'code,text\r\n200,OK\r\n404,Not Found\r\n500,"Internal Server Error"\r\n502,"Bad Gateway, upstream"\r\n',
  // cidrlookup: nested ranges (the longest prefix wins), host bits set, IPv6, an empty cell, a bad range.
  networks: 'cidr,region,owner,datacenter\n10.0.0.0/8,us-east-1,corp,dc1\n10.1.0.0/16,us-east-1,platform,dc2\n10.1.2.0/24,us-east-1,payments,\n192.168.1.77/24,eu-west-1,office,dc3\n2001:db8::/32,us-west-2,ipv6-lab,dc4\nnot a range,nowhere,bad,dc0\n',
  // cidrlookup ... AS block: the ranges in a column that is neither first nor named cidr.
  ranges: 'name,block\nlab,10.200.0.0/16\ndocs,203.0.113.0/24\nall-v4,0.0.0.0/0\n',
};
export const FIXTURE_INDEX_POLICIES: ReadonlyArray<[group: string, fields: string[], fromMs: number]> = [
  ['/app/api', ['path', 'user.id'], T0 - MIN],
  ['/aws/cloudtrail', ['eventName'], T0 + 6 * MIN],
];

export interface FixtureStore {
  store: LogStore;
  groups: Map<string, LogGroup>;
  dir: string;
  /**
   * Closes the store (sealing every event) and opens it again: all events are then in segments, and
   * every query decrypts the parts of them it reads afresh.
   */
  reopenSealed(): Promise<void>;
  close(): Promise<void>;
}

export async function openFixtureStore(): Promise<FixtureStore> {
  const dir = mkdtempSync(join(tmpdir(), 'logward-insights-'));
  const clock = new FakeClock(FIXTURE_END + MIN);
  // Frames of 128 bytes: the fixture's segments of a few KiB decrypt in parts, as large ones do.
  const open = (plaintextCacheBytes?: number): Promise<LogStore> => openTestStore(dir, clock, { plaintextCacheBytes, segmentFrameBytes: 128 });
  const store = await open();
  const groups = new Map<string, LogGroup>();
  for (const e of FIXTURE) {
    let g = groups.get(e.group);
    if (!g) groups.set(e.group, (g = await store.catalog.createGroup(e.group, T0 - MIN, {}, null, 'STANDARD')));
    if (!g.streams.has(e.stream)) await store.catalog.createStream(g, e.stream, T0 - MIN);
    await appendEvents(store, g, e.stream, [{ timestamp: e.ts, message: e.message }], e.ts + 1000);
  }
  for (const [name, csv] of Object.entries(FIXTURE_LOOKUP_TABLES)) {
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    const t = { id: name, name, description: '', fields: header!.split(','), recordsCount: rows.length, sizeBytes: Buffer.byteLength(csv), createdMs: T0, lastUpdatedMs: T0, kmsKeyId: null, tags: {} };
    await store.lookupTables.put(t, csv);
  }
  // Field indexes for filterIndex: /app/api indexes two JSON fields from before its first event;
  // /aws/cloudtrail indexes eventName from T0 + 6 min (events ingested earlier are not indexed).
  for (const [name, fields, fromMs] of FIXTURE_INDEX_POLICIES) {
    await store.catalog.indexPolicies.put(groups.get(name)!.id, JSON.stringify({ Fields: fields }), fields, fromMs);
  }
  const fx: FixtureStore = {
    store,
    groups,
    dir,
    async reopenSealed() {
      await fx.store.close();
      // No decrypted segment outlives the query that read it: each query decrypts just the columns
      // DuckDB's plan for it names (partial-plaintext.ts), so a column missing from that list shows.
      fx.store = await open(0);
      await fx.store.idle(); // segments shredded
      fx.groups = new Map([...fx.groups.keys()].map((name) => [name, fx.store.catalog.groups.get(name)!]));
    },
    async close() {
      await fx.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fx;
}
