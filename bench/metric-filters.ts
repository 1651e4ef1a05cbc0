/**
 * Bench for issue #6's bar "with 100 metric filters on a log group, ingest throughput drops by at most
 * 10%": one server (in process), two log groups fed the same batches, one without filters and one with
 * the 100 filters of filters() below (CIS controls and other CloudTrail JSON filters, application JSON
 * filters with values and dimensions, terms, space-delimited access log filters) over a mix of real
 * CloudTrail records, JSON application logs and access log lines, measured in alternating rounds so
 * that machine noise hits both alike. Prints events/s of each and the drop, by acknowledgement and,
 * since filters run after it, also counted until every event of the round was evaluated.
 *
 * A round is 360 batches of 1,000 events (about 5 s). Counted until every event is evaluated, a round
 * also holds the time from its last acknowledgement to the metric store's flush of its last values
 * (settle()): 40-110 ms whatever the round's length (median 58 ms over rounds of 120 batches, 48 ms over
 * rounds of 360, 28 November 2026), so evaluation keeps up and that time is latency, not throughput. In
 * rounds of 120 batches (under 2 s) it alone took 3-5 points off the rate counted that way; in rounds of
 * 360, about one.
 *
 * Each round starts once the store has sealed what the rounds before it wrote (its seal queue empty):
 * at the acknowledged rate the sealer falls a little behind (DuckDB's threads share the cores with ingest
 * and the filter worker), and over 60 rounds its backlog grew until the hot tier was full and the server
 * answered ThrottlingException (after 29 rounds, 28 November 2026); carried from round to round, it
 * would also slow whichever round came next. A throttled request is retried after a short backoff and
 * counted (it should not happen now), within its round's time.
 *
 *   node dist/bench/metric-filters.js [--rounds 30] [--batches 360] [--events 1000] [--inflight 4]
 *   npm run bench -- --only metric-filters
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { CIS_CONTROLS } from '../src/cli/cis-pack.js';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { parseServerConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import type { MetricFilterRecord } from '../src/store/catalog.js';

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
  /** Acknowledged events per second (the bar). */
  dropPercent: number;
  /** Filtered rounds counted until every event was evaluated too (evaluation must keep up). */
  evaluatedEventsPerS: number;
  dropPercentEvaluated: number;
  /**
   * The drop of each round against the other group's round run next to it (rounds alternate, so the
   * two of a round share the machine's load at that time), median over rounds: steadier than the ratio
   * of the medians when other processes' load drifts during the run. Same events, same costs counted.
   */
  dropPercentPaired: number;
  /** The same, counted until every event was evaluated. */
  dropPercentEvaluatedPaired: number;
  /** Time from a filtered round's last acknowledgement to its last event evaluated. */
  catchUpMsMedian: number;
  /** Median time waited before a round for the store's seal queue to empty. */
  sealWaitMsMedian: number;
  /** PutLogEvents requests answered ThrottlingException (retried), over all rounds. */
  throttled: number;
  /** Process CPU time (all threads, the in-process client included) and main-thread busy time per event. */
  cpuUsPerEvent: { plain: number; filtered: number };
  mainThreadUsPerEvent: { plain: number; filtered: number };
  /**
   * CPU time per event of the main thread and of the filter worker thread (Linux, /proc; null elsewhere),
   * through evaluation: unlike busy time, it does not grow when other processes take the cores.
   */
  threadCpuUsPerEvent: { main: { plain: number; filtered: number }; filterWorker: number } | null;
  /**
   * Time per event the main thread was ready to run but waited for a core (Linux; null elsewhere): the
   * share of the drop that comes from sharing the cores (with the filter worker, or other processes).
   */
  mainThreadWaitUsPerEvent: { plain: number; filtered: number } | null;
  /**
   * CPU time per event of the process's other threads (Linux; null elsewhere): V8's helper threads
   * (garbage collection of both isolates, compilation), libuv's pool, DuckDB's threads.
   */
  otherThreadsCpuUsPerEvent: { plain: number; filtered: number } | null;
  filterMatches: { eventsMatched: number; eventsSkipped: number; eventsReplayed: number };
}

const CREDS = { accessKeyId: 'LKIABENCHMETRICS0001', secretAccessKey: 'bench-metrics-secret-bench-metrics-0001' };

const ROUTES = ['/', '/api/cart', '/api/login', '/api/search', '/api/orders', '/static/app.js', '/health'];
const SERVICES = ['cart', 'auth', 'search', 'orders', 'payments', 'catalog', 'shipping', 'users'];

/** The 2,900 real CloudTrail records of the test fixture (Stratus Red Team), one JSON object a line. */
export function cloudTrailRecords(): string[] {
  const file = fileURLToPath(new URL('../../test/fixtures/cloudtrail-stratus-red-team/records.jsonl.gz', import.meta.url));
  return gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter((l) => l.trim() !== '');
}

/**
 * The events: a third CloudTrail records (real ones, cycled), a third JSON application logs, a third
 * access log lines (space-delimited), interleaved as a shared log group of an account would hold them.
 */
export function messageOf(trail: readonly string[], k: number): string {
  switch (k % 3) {
    case 0:
      return trail[Math.floor(k / 3) % trail.length]!;
    case 1: {
      const status = k % 50 === 1 ? 500 : k % 7 === 1 ? 404 : 200;
      const level = k % 13 === 1 ? 'ERROR' : k % 11 === 1 ? 'WARN' : 'INFO';
      return JSON.stringify({ level, service: SERVICES[k % SERVICES.length], route: ROUTES[k % ROUTES.length], status, latency: (k * 31) % 900, user: { id: k % 1000 }, msg: level === 'ERROR' ? 'upstream timeout' : 'request served' });
    }
    default: {
      const status = k % 50 === 2 ? 503 : k % 7 === 2 ? 404 : 200;
      return `10.0.${k % 255}.${k % 200} - - [10/Jul/2023:11:42:18 +0000] "GET ${ROUTES[k % ROUTES.length]} HTTP/1.1" ${status} ${(k * 37) % 5000} "-" "curl/8.1"`;
    }
  }
}

/**
 * 100 filters as an account with CloudTrail, services and a load balancer in one group might have them:
 * - 15 CIS AWS Foundations controls (their exact JSON patterns, src/cli/cis-pack.ts);
 * - 15 other CloudTrail JSON filters (by event source and name, error codes, with dimensions);
 * - 25 application JSON filters (levels, statuses, latency values by route and service);
 * - 25 term filters (errors, timeouts, a service's name, OR-ed and excluded terms);
 * - 20 space-delimited access log filters (status classes, bytes values, routes, by status).
 * Some match most events of their kind (`{ $.level = "INFO" }`, `[..., status = 2*, ...]`), most match few.
 */
/** filters() as the catalog's records of group `groupId` (the in-process harnesses' engines take these). */
export function filterRecords(groupId: number): MetricFilterRecord[] {
  return filters('g').map((c, i) => ({
    groupId,
    name: c.input.filterName!,
    pattern: c.input.filterPattern!,
    transformations: c.input.metricTransformations!.map((t) => ({
      metricName: t.metricName!,
      metricNamespace: t.metricNamespace!,
      metricValue: t.metricValue!,
      ...(t.defaultValue !== undefined ? { defaultValue: t.defaultValue } : {}),
      ...(t.dimensions !== undefined ? { dimensions: t.dimensions } : {}),
    })),
    createdMs: i,
    applyOnTransformedLogs: false,
  }));
}

export function filters(group: string): PutMetricFilterCommand[] {
  const specs: Array<{ filterPattern: string; metricValue?: string; dimensions?: Record<string, string>; defaultValue?: number }> = [];
  for (const c of CIS_CONTROLS) specs.push({ filterPattern: c.pattern });
  const trailEvents = ['ListBuckets', 'GetCallerIdentity', 'DescribeInstances', 'AssumeRole', 'CreateUser', 'GetObject', 'PutObject', 'ListUsers'];
  for (let i = 0; i < 15; i++) {
    const kind = i % 5;
    specs.push(
      kind === 0
        ? { filterPattern: `{ $.eventName = "${trailEvents[i % trailEvents.length]}" }` }
        : kind === 1
          ? { filterPattern: `{ $.eventSource = "${['s3', 'iam', 'ec2', 'sts'][i % 4]}.amazonaws.com" }`, dimensions: { EventName: '$.eventName' } }
          : kind === 2
            ? { filterPattern: '{ $.errorCode = "*" }', dimensions: { ErrorCode: '$.errorCode' } }
            : kind === 3
              ? { filterPattern: `{ $.userIdentity.type = "${['AssumedRole', 'IAMUser', 'AWSService'][i % 3]}" && $.readOnly IS FALSE }` }
              : { filterPattern: `{ $.awsRegion != "us-east-1" || $.sourceIPAddress = "${i}.*" }` },
    );
  }
  for (let i = 0; i < 25; i++) {
    const kind = i % 5;
    const route = ROUTES[i % ROUTES.length]!;
    specs.push(
      kind === 0
        ? { filterPattern: `{ $.level = "${['ERROR', 'WARN', 'INFO'][i % 3]}" }`, defaultValue: 0 }
        : kind === 1
          ? { filterPattern: `{ $.status >= ${[500, 400][i % 2]} }`, metricValue: '$.latency', dimensions: { Route: '$.route' } }
          : kind === 2
            ? { filterPattern: `{ $.route = "${route}" && $.latency > ${100 * (i % 8)} }`, metricValue: '$.latency' }
            : kind === 3
              ? { filterPattern: `{ $.service = "${SERVICES[i % SERVICES.length]}" && $.status != 200 }`, dimensions: { Status: '$.status' } }
              : { filterPattern: `{ $.user.id = ${i * 37} }` },
    );
  }
  for (let i = 0; i < 25; i++) {
    const kind = i % 5;
    specs.push({
      filterPattern:
        kind === 0
          ? ['ERROR', 'Exception', 'FATAL', 'panic', 'OutOfMemory'][i % 5]!
          : kind === 1
            ? `"upstream timeout" ${SERVICES[i % SERVICES.length]}`
            : kind === 2
              ? `?ERROR ?WARN ?${['Denied', 'refused', 'Throttling'][i % 3]}`
              : kind === 3
                ? `ERROR -${SERVICES[i % SERVICES.length]}`
                : `AccessDenied ${['s3', 'iam', 'ec2', 'kms', 'sts'][i % 5]}`,
      ...(kind === 0 ? { defaultValue: 0 } : {}),
    });
  }
  for (let i = 0; i < 20; i++) {
    const kind = i % 4;
    const route = ROUTES[i % ROUTES.length]!;
    specs.push(
      kind === 0
        ? { filterPattern: `[ip, id, user, timestamp, request, status = ${['5*', '4*', '2*'][i % 3]}, bytes, referrer, agent]`, dimensions: { Status: '$status' } }
        : kind === 1
          ? { filterPattern: '[ip, id, user, timestamp, request, status, bytes > 1000, referrer, agent]', metricValue: '$bytes' }
          : kind === 2
            ? { filterPattern: `[ip, id, user, timestamp, request = "*${route} *", status, bytes, referrer, agent]`, metricValue: '$bytes' }
            : { filterPattern: `[ip = "10.0.${i}.*", ...]` },
    );
  }
  return specs.map(
    (f, i) =>
      new PutMetricFilterCommand({
        logGroupName: group,
        filterName: `f${String(i).padStart(2, '0')}`,
        filterPattern: f.filterPattern,
        metricTransformations: [
          {
            metricNamespace: 'Bench',
            metricName: `m${i}`,
            metricValue: f.metricValue ?? '1',
            ...(f.dimensions !== undefined ? { dimensions: f.dimensions } : {}),
            ...(f.defaultValue !== undefined ? { defaultValue: f.defaultValue } : {}),
          },
        ],
      }),
  );
}

/** CPU time (user and system) of one of this process's threads, in ms (Linux: /proc; null elsewhere or without a thread). */
function threadCpuMs(tid: number | undefined): number | null {
  if (tid === undefined || !existsSync(`/proc/self/task/${tid}/stat`)) return null;
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
}

/**
 * Time (ms) the main thread spent runnable but waiting for a core (Linux: schedstat's run delay; null
 * elsewhere): what other threads, the filter worker's among them, and other processes took from it.
 */
function mainThreadWaitMs(): number | null {
  const f = `/proc/self/task/${process.pid}/schedstat`;
  if (!existsSync(f)) return null;
  return Number(readFileSync(f, 'utf8').split(' ')[1]) / 1e6;
}

/** CPU time (ms) of this process's threads other than `except` (Linux: /proc; 0 elsewhere). */
function otherThreadsCpuMs(except: ReadonlyArray<number | undefined>): number {
  let ms = 0;
  if (!existsSync('/proc/self/task')) return ms;
  for (const t of readdirSync('/proc/self/task')) {
    if (except.includes(Number(t))) continue;
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms += ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
    } catch {
      // the thread ended between the listing and the read (its time is lost to both rounds alike)
    }
  }
  return ms;
}

/** USER_HZ: 100 on every Linux Node.js runs on (the kernel's ABI for /proc). */
const CLOCK_TICKS = 100;

export async function runMetricFilters(opts: MetricFiltersOptions, log: (line: string) => void): Promise<MetricFiltersResult> {
  const { rounds: ROUNDS, batches: BATCHES, events: EVENTS, inflight: INFLIGHT } = opts;
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-bench-mf-'));
  const server = await startServer(parseServerConfig({ port: 0, dataDir, logLevel: 'warn', ...CREDS }));
  // Throttling is retried here, counted; the SDK's own retries would hide it (and give up after 3 tries).
  const client = new CloudWatchLogsClient({ endpoint: server.url, region: 'us-east-1', credentials: { ...CREDS }, maxAttempts: 1 });
  let throttled = 0;
  const put = async (cmd: PutLogEventsCommand): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return void (await client.send(cmd));
      } catch (e) {
        if ((e as Error).name !== 'ThrottlingException' || attempt >= 50) throw e;
        throttled++;
        await sleep(Math.min(500, 10 * 2 ** attempt));
      }
    }
  };
  /** Waits until the store has sealed every write-ahead log file waiting (at most 2 minutes); ms waited. */
  const sealed = async (): Promise<number> => {
    const t0 = performance.now();
    while (performance.now() - t0 < 120_000) {
      const m = /^logward_seal_queue_depth (\d+)$/m.exec(await server.metrics.exposition());
      if (m === null) throw new Error('the server exposes no logward_seal_queue_depth');
      if (m[1] === '0') break;
      await sleep(50);
    }
    return performance.now() - t0;
  };
  try {
    for (const g of ['plain', 'filtered']) {
      await client.send(new CreateLogGroupCommand({ logGroupName: g }));
      for (let s = 0; s < INFLIGHT; s++) await client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: `s${s}` }));
    }
    const trail = cloudTrailRecords();
    const fs = filters('filtered');
    if (fs.length !== 100) throw new Error(`the bench defines ${fs.length} filters, not 100`);
    for (const f of fs) await client.send(f);
    const rates: Record<string, number[]> = { plain: [], filtered: [] };
    /** Filtered rounds again, counting until the filters have evaluated every event of the round. */
    const evaluatedRates: number[] = [];
    const catchUpMs: number[] = [];
    const sealWaitMs: number[] = [];
    const cpuUs: Record<string, number[]> = { plain: [], filtered: [] };
    const mainUs: Record<string, number[]> = { plain: [], filtered: [] };
    const threadUs: Record<string, number[]> = { plain: [], filtered: [], worker: [] };
    const otherUs: Record<string, number[]> = { plain: [], filtered: [] };
    const waitUs: Record<string, number[]> = { plain: [], filtered: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const g of round % 2 === 0 ? ['plain', 'filtered'] : ['filtered', 'plain']) {
        sealWaitMs.push(await sealed());
        const throttled0 = throttled;
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        const elu0 = performance.eventLoopUtilization();
        const main0 = threadCpuMs(process.pid);
        const wait0 = mainThreadWaitMs();
        const worker0 = threadCpuMs(server.metrics.filters.workerThread());
        const threads = (): Array<number | undefined> => [process.pid, server.metrics.filters.workerThread()];
        const other0 = otherThreadsCpuMs(threads());
        await Promise.all(
          Array.from({ length: INFLIGHT }, async (_, s) => {
            for (let b = s; b < BATCHES; b += INFLIGHT) {
              const now = Date.now();
              const logEvents = Array.from({ length: EVENTS }, (_, k) => ({ timestamp: now - EVENTS + k, message: messageOf(trail, round * 1e6 + b * EVENTS + k) }));
              await put(new PutLogEventsCommand({ logGroupName: g, logStreamName: `s${s}`, logEvents }));
            }
          }),
        );
        const acked = performance.now();
        const rate = (BATCHES * EVENTS) / ((acked - t0) / 1000);
        rates[g]!.push(rate);
        let extra = '';
        if (g === 'filtered') {
          // Evaluation runs after the acknowledgement: it must keep up, or the backlog would grow without end.
          await server.metrics.store.settle();
          const done = performance.now();
          catchUpMs.push(done - acked);
          evaluatedRates.push((BATCHES * EVENTS) / ((done - t0) / 1000));
          extra = ` (all evaluated ${Math.round(done - acked)} ms after the last acknowledgement: ${Math.round(evaluatedRates.at(-1)!)} events/s)`;
        }
        // CPU time per event, load-independent: the whole process (every thread, the bench's client
        // included) and the main thread's busy time (what answers requests), through evaluation.
        const cpu = process.cpuUsage(cpu0);
        const elu = performance.eventLoopUtilization(elu0);
        cpuUs[g]!.push((cpu.user + cpu.system) / (BATCHES * EVENTS));
        mainUs[g]!.push((elu.active * 1000) / (BATCHES * EVENTS));
        const main1 = threadCpuMs(process.pid);
        if (main0 !== null && main1 !== null) {
          threadUs[g]!.push(((main1 - main0) * 1000) / (BATCHES * EVENTS));
          extra += `, main thread CPU ${threadUs[g]!.at(-1)!.toFixed(1)} µs/event`;
        }
        const wait1 = mainThreadWaitMs();
        if (wait0 !== null && wait1 !== null) {
          waitUs[g]!.push(((wait1 - wait0) * 1000) / (BATCHES * EVENTS));
          extra += ` (waited for a core ${waitUs[g]!.at(-1)!.toFixed(1)} µs/event)`;
        }
        // The worker thread is excluded from the first filtered round on (it starts during it: before, it was no thread).
        otherUs[g]!.push(((otherThreadsCpuMs(threads()) - other0) * 1000) / (BATCHES * EVENTS));
        // The worker starts with the first evaluation: from 0 then.
        const worker1 = threadCpuMs(server.metrics.filters.workerThread());
        if (g === 'filtered' && worker1 !== null) {
          threadUs.worker!.push(((worker1 - (worker0 ?? 0)) * 1000) / (BATCHES * EVENTS));
          extra += `, filter worker CPU ${threadUs.worker!.at(-1)!.toFixed(1)} µs/event`;
        }
        if (throttled > throttled0) extra += `, ${throttled - throttled0} requests throttled`;
        extra += ` (seal queue emptied ${Math.round(sealWaitMs.at(-1)!)} ms before)`;
        log(`metric filters: round ${round + 1} ${g}: ${Math.round(rate)} events/s${extra}, CPU ${cpuUs[g]!.at(-1)!.toFixed(1)} µs/event, main thread ${mainUs[g]!.at(-1)!.toFixed(1)} µs/event`);
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const paired = (filteredRates: number[]): number => median(filteredRates.map((f, i) => 100 * (1 - f / rates.plain![i]!)));
    log(`metric filters: drop by round (against the plain round next to it): ${rates.filtered!.map((f, i) => (100 * (1 - f / rates.plain![i]!)).toFixed(1)).join(', ')}%`);
    const plain = median(rates.plain!);
    const filtered = median(rates.filtered!);
    const evaluated = median(evaluatedRates);
    return {
      eventsPerBatch: EVENTS,
      batchesPerRound: BATCHES,
      rounds: ROUNDS,
      plainEventsPerS: Math.round(plain),
      filteredEventsPerS: Math.round(filtered),
      dropPercent: Number((100 * (1 - filtered / plain)).toFixed(1)),
      evaluatedEventsPerS: Math.round(evaluated),
      dropPercentEvaluated: Number((100 * (1 - evaluated / plain)).toFixed(1)),
      dropPercentPaired: Number(paired(rates.filtered!).toFixed(1)),
      dropPercentEvaluatedPaired: Number(paired(evaluatedRates).toFixed(1)),
      catchUpMsMedian: Math.round(median(catchUpMs)),
      sealWaitMsMedian: Math.round(median(sealWaitMs)),
      throttled,
      cpuUsPerEvent: { plain: Number(median(cpuUs.plain!).toFixed(2)), filtered: Number(median(cpuUs.filtered!).toFixed(2)) },
      mainThreadUsPerEvent: { plain: Number(median(mainUs.plain!).toFixed(2)), filtered: Number(median(mainUs.filtered!).toFixed(2)) },
      threadCpuUsPerEvent:
        threadUs.plain!.length > 0 && threadUs.worker!.length > 0
          ? { main: { plain: Number(median(threadUs.plain!).toFixed(2)), filtered: Number(median(threadUs.filtered!).toFixed(2)) }, filterWorker: Number(median(threadUs.worker!).toFixed(2)) }
          : null,
      mainThreadWaitUsPerEvent:
        waitUs.plain!.length > 0 ? { plain: Number(median(waitUs.plain!).toFixed(2)), filtered: Number(median(waitUs.filtered!).toFixed(2)) } : null,
      otherThreadsCpuUsPerEvent: existsSync('/proc/self/task')
        ? { plain: Number(median(otherUs.plain!).toFixed(2)), filtered: Number(median(otherUs.filtered!).toFixed(2)) }
        : null,
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
    options: { rounds: { type: 'string', default: '30' }, batches: { type: 'string', default: '360' }, events: { type: 'string', default: '1000' }, inflight: { type: 'string', default: '4' } },
  });
  const r = await runMetricFilters(
    { rounds: Number(values.rounds), batches: Number(values.batches), events: Number(values.events), inflight: Number(values.inflight) },
    (l) => void process.stderr.write(`${l}\n`),
  );
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
