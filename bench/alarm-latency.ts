/**
 * Bench for issue #6's bar "from the ingestion of a matching event to the webhook notification of a
 * 10-second-period alarm, at most 5 s at p99". One server in process with a topic whose webhook is a
 * local HTTP receiver; K metric filters (`trigger-<k>`) each feeding a Sum >= 1, Period 10 alarm on the
 * topic. A trigger is one PutLogEvents of a matching event; its latency runs from just before the request
 * is sent to the webhook's arrival. Alarms are used round robin, each again only once it is back to OK
 * (TreatMissingData notBreaching: a period without data), so every trigger is a fresh OK -> ALARM. Triggers
 * are spaced at random (0.3 to 1.3 s) so they fall anywhere in the server's evaluation ticks and periods,
 * while background batches (`--load` events/s) keep ingest busy.
 *
 *   node dist/bench/alarm-latency.js [--triggers 100] [--alarms 24] [--load 2000] [--latencies]
 *   npm run bench -- --only alarm-latency
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { parseServerConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

export interface AlarmLatencyOptions {
  triggers: number;
  alarms: number;
  /** Background events per second into another group while triggering. */
  load: number;
}

export interface AlarmLatencyResult {
  triggers: number;
  latenciesMs: number[];
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  backgroundEvents: number;
}

const CREDS = { accessKeyId: 'LKIABENCHALARMS00001', secretAccessKey: 'bench-alarms-secret-bench-alarms-00001' };
const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

export async function runAlarmLatency(opts: AlarmLatencyOptions, log: (line: string) => void): Promise<AlarmLatencyResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-bench-alarm-'));
  const arrivals = new Map<string, (t: number) => void>();
  const hook = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      const t = performance.now();
      res.statusCode = 204;
      res.end();
      const m = JSON.parse((JSON.parse(body) as { Message: string }).Message) as { AlarmName: string; NewStateValue: string };
      if (m.NewStateValue === 'ALARM') arrivals.get(m.AlarmName)?.(t);
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const server = await startServer(parseServerConfig({ port: 0, dataDir, logLevel: 'warn', allowPrivateDestinations: true, ...CREDS }));
  const o = { endpoint: server.url, region: 'us-east-1', credentials: { ...CREDS }, maxAttempts: 3 };
  const logs = new CloudWatchLogsClient(o);
  const cw = new CloudWatchClient(o);
  let stopLoad = false;
  let backgroundEvents = 0;
  try {
    const topicArn = await server.metrics.topics.create('bench', Date.now());
    await server.metrics.topics.subscribe('bench', 'webhook', `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`, undefined, Date.now());
    for (const g of ['app', 'background']) {
      await logs.send(new CreateLogGroupCommand({ logGroupName: g }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
    }
    for (let k = 0; k < opts.alarms; k++) {
      await logs.send(new PutMetricFilterCommand({ logGroupName: 'app', filterName: `t${k}`, filterPattern: `"trigger-${k}"`, metricTransformations: [{ metricNamespace: 'Bench', metricName: `Trigger${k}`, metricValue: '1' }] }));
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName: `trigger-${k}`,
          Namespace: 'Bench',
          MetricName: `Trigger${k}`,
          Statistic: 'Sum',
          Period: 10,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [topicArn],
        }),
      );
    }
    const background = (async () => {
      let n = 0;
      while (!stopLoad && opts.load > 0) {
        const events = Array.from({ length: Math.max(1, Math.round(opts.load / 10)) }, () => ({ timestamp: Date.now(), message: `INFO GET /api/cart 200 ${n++} background` }));
        await logs.send(new PutLogEventsCommand({ logGroupName: 'background', logStreamName: 's', logEvents: events }));
        backgroundEvents += events.length;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const readyAt = new Map<number, number>();
    const latencies: number[] = [];
    for (let i = 0; i < opts.triggers; i++) {
      const k = i % opts.alarms;
      // Back to OK (a complete period without data, evaluated) before it is used again.
      for (;;) {
        const r = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [`trigger-${k}`] }));
        if (r.MetricAlarms?.[0]?.StateValue !== 'ALARM' && Date.now() >= (readyAt.get(k) ?? 0)) break;
        await new Promise((res) => setTimeout(res, 500));
      }
      await new Promise((res) => setTimeout(res, 300 + Math.random() * 1000));
      const arrived = new Promise<number>((res) => arrivals.set(`trigger-${k}`, res));
      const t0 = performance.now();
      await logs.send(new PutLogEventsCommand({ logGroupName: 'app', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: `WARN trigger-${k} root signed in` }] }));
      const t1 = await Promise.race([arrived, new Promise<number>((res) => setTimeout(() => res(Number.POSITIVE_INFINITY), 60_000))]);
      arrivals.delete(`trigger-${k}`);
      latencies.push(t1 - t0);
      readyAt.set(k, Date.now() + 21_000);
      if ((i + 1) % 10 === 0) log(`alarm latency: ${i + 1}/${opts.triggers} triggers, median ${quantile(latencies, 0.5).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`);
    }
    stopLoad = true;
    await background;
    return { triggers: latencies.length, latenciesMs: latencies, medianMs: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), maxMs: Math.max(...latencies), backgroundEvents };
  } finally {
    stopLoad = true;
    logs.destroy();
    cw.destroy();
    await server.close();
    await new Promise<void>((r) => hook.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // --latencies: every trigger's latency in the output too (bench/run.ts reads the whole result).
  const { values } = parseArgs({
    options: { triggers: { type: 'string', default: '100' }, alarms: { type: 'string', default: '24' }, load: { type: 'string', default: '2000' }, latencies: { type: 'boolean', default: false } },
  });
  const r = await runAlarmLatency({ triggers: Number(values.triggers), alarms: Number(values.alarms), load: Number(values.load) }, (l) => void process.stderr.write(`${l}\n`));
  const { latenciesMs: _all, ...summary } = r;
  process.stdout.write(`${JSON.stringify(values.latencies ? r : summary)}\n`);
}
