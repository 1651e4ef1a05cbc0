/** For tests: a store with the subscription engine on it, a recording HTTP peer, and polling with a deadline. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { systemClock } from '../clock.js';
import { openTestStore, appendEvents } from '../store/testing.js';
import type { LogStore } from '../store/store.js';
import type { LogGroup } from '../store/catalog.js';
import { SubscriptionCatalog, type Target } from '../store/subscriptions.js';
import { SubscriptionEngine } from './engine.js';
import { AddressPolicy } from './safety.js';
import type { RetryPolicy } from './consumer.js';
import type { SubscriptionMessage } from './payload.js';

export const TEST_RETRY: RetryPolicy = { baseMs: 20, maxMs: 100, budgetMs: 60_000 };

export interface Harness {
  store: LogStore;
  subs: SubscriptionCatalog;
  engine: SubscriptionEngine;
  group(name: string, streams?: string[]): Promise<LogGroup>;
  put(g: LogGroup, stream: string, messages: string[]): Promise<void>;
  /** Binds a target and subscribes the group to it (a new filter starts at the current end). */
  subscribe(g: LogGroup, filterName: string, pattern: string, target: Target, destinationArn: string): Promise<void>;
  close(): Promise<void>;
}

export async function openHarness(dir: string, opts: { retry?: RetryPolicy; allow?: string[]; walSealBytes?: number } = {}): Promise<Harness> {
  const logger = pino({ level: 'silent' });
  const store = await openTestStore(dir, systemClock, { logger, ...(opts.walSealBytes !== undefined ? { walSealBytes: opts.walSealBytes } : {}) });
  const subs = new SubscriptionCatalog(store.db);
  await subs.load();
  const engine = new SubscriptionEngine({
    store,
    subs,
    clock: systemClock,
    logger,
    accountId: '000000000000',
    policy: new AddressPolicy(opts.allow ?? ['127.0.0.1/32']),
    retry: opts.retry ?? TEST_RETRY,
  });
  await engine.start();
  return {
    store,
    subs,
    engine,
    async group(name, streams = ['s1']) {
      return store.withWriteLock(async () => {
        const g = store.catalog.groups.get(name) ?? (await store.catalog.createGroup(name, Date.now(), {}, null, 'STANDARD'));
        for (const s of streams) if (!g.streams.has(s)) await store.catalog.createStream(g, s, Date.now());
        return g;
      });
    },
    async put(g, stream, messages) {
      const now = Date.now();
      await appendEvents(store, g, stream, messages.map((message) => ({ timestamp: now, message })), now);
    },
    async subscribe(g, filterName, pattern, target, destinationArn) {
      await subs.putTarget(target);
      await subs.putFilter(
        { groupId: g.id, groupName: g.name, filterName, filterPattern: pattern, destinationArn, roleArn: null, distribution: 'ByLogStream', createdMs: Date.now() },
        engine.visibleThrough(g.id),
      );
      await engine.sync();
    },
    async close() {
      await engine.close();
      await store.close();
    },
  };
}

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP peer on 127.0.0.1 that records every request and answers `status()` (200 unless changed). */
export async function recordingServer(answer: (r: Recorded) => { status: number; body?: string } = () => ({ status: 200 })): Promise<{ url: string; requests: Recorded[]; server: Server; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      const a = answer(r);
      if (a.status >= 200 && a.status < 300) requests.push(r);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body ?? '{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/`, requests, server, close: () => new Promise((r) => server.close(() => r())) };
}

/** The standard recipe: base64, gunzip, JSON.parse. */
export const decodeAwslogs = (body: Buffer): SubscriptionMessage =>
  JSON.parse(gunzipSync(Buffer.from((JSON.parse(body.toString('utf8')) as { awslogs: { data: string } }).awslogs.data, 'base64')).toString('utf8')) as SubscriptionMessage;

/** Polls `cond` until it holds, failing after `ms` with `what` (conditions, never durations, are asserted). */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
