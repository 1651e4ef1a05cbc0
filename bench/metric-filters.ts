/**
 * Bench for issue #6's bar "with 100 metric filters on a log group, ingest throughput drops by at most
 * 10%": one server (in process), two log groups fed the same batches, one without filters and one with
 * 100 (terms, JSON with values and dimensions, space-delimited, regex), measured in alternating rounds so
 * that machine noise hits both alike. Prints events/s of each and the drop.
 *
 *   node dist/bench/metric-filters.js [--rounds 6] [--batches 40] [--events 1000] [--inflight 4]
 *   npm run bench -- --only metric-filters
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { parseServerConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

export interface MetricFiltersOptions {
  rounds: number;
  batches: number;
  events: number;
  inflight: number;
}

export interface MetricFiltersResult {
  eventsPerBatch: number;
  batchesPerRound: number;
  rounds: number;
  plainEventsPerS: number;
  filteredEventsPerS: number;
  dropPercent: number;
  filterMatches: { eventsMatched: number; eventsSkipped: number };
}

const CREDS = { accessKeyId: 'LKIABENCHMETRICS0001', secretAccessKey: 'bench-metrics-secret-bench-metrics-0001' };

const ROUTES = ['/', '/api/cart', '/api/login', '/static/app.js', '/health'];
function message(k: number): string {
  const status = k % 50 === 0 ? 500 : k % 7 === 0 ? 404 : 200;
  if (k % 3 === 0) return `10.0.${k % 255}.${k % 200} GET ${ROUTES[k % ROUTES.length]} ${status} ${(k * 37) % 5000} ${k % 13 === 0 ? 'ERROR' : 'INFO'}`;
  return JSON.stringify({ level: k % 13 === 0 ? 'ERROR' : 'INFO', route: ROUTES[k % ROUTES.length], status, latency: (k * 31) % 900, user: { id: k % 1000 } });
}

/** 100 filters of the kinds people write, about a quarter matching each event. */
function filters(group: string): PutMetricFilterCommand[] {
  const out: PutMetricFilterCommand[] = [];
  for (let i = 0; i < 100; i++) {
    const kind = i % 4;
    const t = { metricNamespace: 'Bench', metricName: `m${i}` };
    const input =
      kind === 0
        ? { filterPattern: i % 8 === 0 ? 'ERROR' : `?ERROR ?WARN ?route${i}`, metricTransformations: [{ ...t, metricValue: '1', defaultValue: 0 }] }
        : kind === 1
          ? { filterPattern: `{ $.status = ${i % 2 === 0 ? 500 : 404} }`, metricTransformations: [{ ...t, metricValue: '$.latency', dimensions: { Route: '$.route' } }] }
          : kind === 2
            ? { filterPattern: `[ip, method, path, status = ${i % 3 === 0 ? '5*' : '2*'}, bytes, level]`, metricTransformations: [{ ...t, metricValue: '$bytes' }] }
            : { filterPattern: `%user${i}|/api/cart|/api/login%`, metricTransformations: [{ ...t, metricValue: '1' }] };
    out.push(new PutMetricFilterCommand({ logGroupName: group, filterName: `f${i}`, ...input }));
  }
  return out;
}

export async function runMetricFilters(opts: MetricFiltersOptions, log: (line: string) => void): Promise<MetricFiltersResult> {
  const { rounds: ROUNDS, batches: BATCHES, events: EVENTS, inflight: INFLIGHT } = opts;
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-bench-mf-'));
  const server = await startServer(parseServerConfig({ port: 0, dataDir, logLevel: 'warn', ...CREDS }));
  const client = new CloudWatchLogsClient({ endpoint: server.url, region: 'us-east-1', credentials: { ...CREDS }, maxAttempts: 3 });
  try {
    for (const g of ['plain', 'filtered']) {
      await client.send(new CreateLogGroupCommand({ logGroupName: g }));
      for (let s = 0; s < INFLIGHT; s++) await client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: `s${s}` }));
    }
    for (const f of filters('filtered')) await client.send(f);
    const rates: Record<string, number[]> = { plain: [], filtered: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const g of round % 2 === 0 ? ['plain', 'filtered'] : ['filtered', 'plain']) {
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: INFLIGHT }, async (_, s) => {
            for (let b = s; b < BATCHES; b += INFLIGHT) {
              const now = Date.now();
              const logEvents = Array.from({ length: EVENTS }, (_, k) => ({ timestamp: now - EVENTS + k, message: message(round * 1e6 + b * EVENTS + k) }));
              await client.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: `s${s}`, logEvents }));
            }
          }),
        );
        const rate = (BATCHES * EVENTS) / ((performance.now() - t0) / 1000);
        rates[g]!.push(rate);
        log(`metric filters: round ${round + 1} ${g}: ${Math.round(rate)} events/s`);
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const plain = median(rates.plain!);
    const filtered = median(rates.filtered!);
    return {
      eventsPerBatch: EVENTS,
      batchesPerRound: BATCHES,
      rounds: ROUNDS,
      plainEventsPerS: Math.round(plain),
      filteredEventsPerS: Math.round(filtered),
      dropPercent: Number((100 * (1 - filtered / plain)).toFixed(1)),
      filterMatches: { ...server.metrics.filters.stats },
    };
  } finally {
    client.destroy();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '6' }, batches: { type: 'string', default: '40' }, events: { type: 'string', default: '1000' }, inflight: { type: 'string', default: '4' } },
  });
  const r = await runMetricFilters(
    { rounds: Number(values.rounds), batches: Number(values.batches), events: Number(values.events), inflight: Number(values.inflight) },
    (l) => void process.stderr.write(`${l}\n`),
  );
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
