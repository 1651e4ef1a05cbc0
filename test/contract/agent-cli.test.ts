/**
 * `logward agent`: the real binary with a CloudWatch agent configuration against a real server. Multi-line
 * events with their parsed timestamps, placeholders in names, retention, filters, host metrics through
 * PutMetricData, and the refusal of a bad configuration.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { runLogward, startLogward, stopAndClean, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { getAllEvents, uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
let dir: string;

before(async () => {
  srv = await startLogward();
  dir = await mkdtemp(join(tmpdir(), 'logward-agent-cli-'));
});

after(async () => {
  await stopAndClean(srv);
  await rm(dir, { recursive: true, force: true });
});

test('agent --once: multi-line events, placeholders, retention, filters and host metrics', async () => {
  const group = `agent/cli-${uid()}`;
  const ns = `Agent${uid()}`;
  // Yesterday or the day before: 10:00 then is in the past and within 14 days.
  const day = new Date(Date.now() - 26 * 3600_000).toISOString().slice(0, 10);
  await writeFile(
    join(dir, 'java.log'),
    [
      `${day} 10:00:00,100 ERROR request failed`,
      'java.lang.IllegalStateException: boom',
      '\tat com.example.A.b(A.java:10)',
      `${day} 10:00:01,200 DEBUG noise`,
      `${day} 10:00:02,300 INFO done`,
      '',
    ].join('\n'),
  );
  const config = {
    agent: { metrics_collection_interval: 60 },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            {
              file_path: join(dir, '*.log'),
              log_group_name: group,
              log_stream_name: '{hostname}/java',
              timestamp_format: '%Y-%m-%d %H:%M:%S,%f',
              timezone: 'UTC',
              multi_line_start_pattern: '{timestamp_format}',
              retention_in_days: 7,
              filters: [{ type: 'exclude', expression: 'DEBUG' }],
            },
          ],
        },
      },
      force_flush_interval: 1,
    },
    metrics: { namespace: ns, metrics_collected: { mem: { measurement: ['mem_used_percent'] }, disk: { measurement: ['used_percent'], resources: ['/'] } } },
  };
  await writeFile(join(dir, 'agent.json'), JSON.stringify(config));
  const r = await runLogward(srv, ['agent', '--config', join(dir, 'agent.json'), '--state-dir', join(dir, 'state'), '--once', '--no-imds', '--json'], { isolated: true });
  assert.equal(r.code, 0, r.stderr);
  const stats = JSON.parse(r.stdout) as { read: number; sent: number; filtered: number };
  assert.deepEqual([stats.read, stats.sent, stats.filtered], [2, 2, 1]);

  const events = await getAllEvents(srv.client, group, `${hostname()}/java`);
  assert.deepEqual(
    events.map((e) => [new Date(e.timestamp ?? 0).toISOString(), e.message]),
    [
      [`${day}T10:00:00.100Z`, `${day} 10:00:00,100 ERROR request failed\njava.lang.IllegalStateException: boom\n\tat com.example.A.b(A.java:10)`],
      [`${day}T10:00:02.300Z`, `${day} 10:00:02,300 INFO done`],
    ],
  );
  const groups = await srv.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
  assert.equal(groups.logGroups?.[0]?.retentionInDays, 7);

  const cw = new CloudWatchClient({ endpoint: srv.url, region: TEST_REGION, credentials: { ...srv.credentials }, maxAttempts: 1 });
  try {
    const metrics = await cw.send(new ListMetricsCommand({ Namespace: ns }));
    const names = (metrics.Metrics ?? []).map((m) => `${m.MetricName}:${(m.Dimensions ?? []).map((d) => d.Name).sort().join(',')}`).sort();
    assert.deepEqual(names, ['disk_used_percent:device,fstype,host,path', 'mem_used_percent:host']);
  } finally {
    cw.destroy();
  }

  // Run again: the checkpoints say everything was sent.
  const again = await runLogward(srv, ['agent', '--config', join(dir, 'agent.json'), '--state-dir', join(dir, 'state'), '--once', '--no-imds', '--json'], { isolated: true });
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { read: number }).read, 0);
  assert.equal((await getAllEvents(srv.client, group, `${hostname()}/java`)).length, 2);
});

test('agent: a bad configuration exits 2 with the path of the mistake, and unknown keys are warnings', async () => {
  const path = join(dir, 'bad.json');
  await writeFile(path, JSON.stringify({ logs: { logs_collected: { files: { collect_list: [{ file_path: '/x', retention_in_days: 2, auto_removal: true }] } } } }));
  const r = await runLogward(srv, ['agent', '--config', path, '--state-dir', join(dir, 'bad-state'), '--once', '--no-imds'], { isolated: true });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /logward: invalid agent configuration: logs\.logs_collected\.files\.collect_list\[0\]\.retention_in_days must be -1 or one of/);
});

test('agent --once: a file larger than --buffer-max-mb is read in turns and sent whole', async () => {
  // Regression: --once stopped reading when the spool reached its bound and exited with the rest unsent.
  const group = `agent/big-${uid()}`;
  const sub = join(dir, `big-${uid()}`);
  const lines = Array.from({ length: 16_000 }, (_, i) => `line ${String(i).padStart(6, '0')} ${'y'.repeat(180)}`);
  await mkdir(sub);
  await writeFile(join(sub, 'big.log'), `${lines.join('\n')}\n`);
  const config = { logs: { logs_collected: { files: { collect_list: [{ file_path: join(sub, '*.log'), log_group_name: group, log_stream_name: 's' }] } }, force_flush_interval: 1 } };
  await writeFile(join(sub, 'agent.json'), JSON.stringify(config));
  const r = await runLogward(srv, ['agent', '--config', join(sub, 'agent.json'), '--state-dir', join(sub, 'state'), '--once', '--no-imds', '--json', '--buffer-max-mb', '1'], { isolated: true });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { sent: number }).sent, lines.length);
  const events = await getAllEvents(srv.client, group, 's');
  assert.deepEqual(events.map((e) => e.message), lines);
});
