import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentConfigFromJson, defaultGroupName, parseAgentConfig } from './config.js';

/** A configuration as the CloudWatch agent's wizard writes it. */
const WIZARD = {
  agent: { metrics_collection_interval: 60, run_as_user: 'cwagent' },
  logs: {
    logs_collected: {
      files: {
        collect_list: [
          {
            file_path: '/var/log/nginx/access.log*',
            log_group_name: 'nginx/{instance_id}',
            log_stream_name: '{hostname}-{ip_address}',
            timestamp_format: '%d/%b/%Y:%H:%M:%S %z',
            retention_in_days: 30,
            auto_removal: false,
          },
          {
            file_path: '/opt/app/app.log',
            multi_line_start_pattern: '{timestamp_format}',
            timestamp_format: '%Y-%m-%d %H:%M:%S',
            timezone: 'UTC',
            encoding: 'latin1',
            filters: [{ type: 'exclude', expression: 'DEBUG' }],
          },
        ],
      },
    },
    log_stream_name: 'default-{hostname}',
    force_flush_interval: 15,
  },
  metrics: {
    namespace: 'Custom',
    append_dimensions: { InstanceId: '${aws:InstanceId}' },
    metrics_collected: {
      cpu: { measurement: ['cpu_usage_idle', 'usage_user'], totalcpu: true, metrics_collection_interval: 10 },
      mem: { measurement: ['mem_used_percent'] },
      disk: { measurement: [{ name: 'used_percent', rename: 'DiskUsed', unit: 'Percent' }], resources: ['/'] },
      statsd: {},
    },
  },
};

test('config: a wizard configuration is read, unknown keys become warnings', () => {
  const c = agentConfigFromJson(WIZARD);
  assert.equal(c.files.length, 2);
  const [a, b] = c.files;
  assert.equal(a?.logGroupName, 'nginx/{instance_id}');
  assert.equal(a?.logStreamName, '{hostname}-{ip_address}');
  assert.equal(a?.retentionInDays, 30);
  assert.equal(b?.logGroupName, '/opt/app/app', 'the file path up to its last period');
  assert.equal(b?.logStreamName, 'default-{hostname}', 'logs.log_stream_name is the default');
  assert.equal(b?.multiLineStart, b?.timestamp?.regex, '{timestamp_format} starts events at a timestamp');
  assert.equal(b?.encoding, 'latin1');
  assert.equal(b?.filters[0]?.type, 'exclude');
  assert.equal(c.flushIntervalMs, 15_000);
  assert.deepEqual(c.warnings.sort(), [
    'agent.run_as_user is not supported by the logward agent and is ignored',
    'logs.logs_collected.files.collect_list[0].auto_removal is not implemented by the logward agent and is ignored',
    'metrics.metrics_collected.statsd is not supported by the logward agent and is ignored (supported: cpu, mem, swap, disk, net)',
  ]);
  const m = c.metrics;
  assert.equal(m?.namespace, 'Custom');
  assert.deepEqual(m?.plugins.map((p) => [p.plugin, p.intervalMs, p.metrics.map((x) => x.name)]), [
    ['cpu', 10_000, ['cpu_usage_idle', 'cpu_usage_user']],
    ['mem', 60_000, ['mem_used_percent']],
    ['disk', 60_000, ['DiskUsed']],
  ]);
});

test('config: invalid values are refused with their path', () => {
  const refuse = (json: unknown, message: RegExp): void => {
    assert.throws(() => agentConfigFromJson(json), (e: Error) => e.name === 'ConfigError' && message.test(e.message), JSON.stringify(json));
  };
  const files = (entry: Record<string, unknown>): unknown => ({ logs: { logs_collected: { files: { collect_list: [entry] } } } });
  refuse(files({}), /collect_list\[0\]\.file_path/);
  refuse(files({ file_path: '/a', retention_in_days: 2 }), /retention_in_days must be -1 or one of 1, 3, 5/);
  refuse(files({ file_path: '/a', multi_line_start_pattern: '([a-' }), /multi_line_start_pattern: not a valid regular expression/);
  refuse(files({ file_path: '/a', multi_line_start_pattern: '{timestamp_format}' }), /has no timestamp_format/);
  refuse(files({ file_path: '/a', timestamp_format: '%Y-%Q' }), /unknown directive %Q/);
  refuse(files({ file_path: '/a', encoding: 'klingon' }), /unknown encoding klingon/);
  refuse(files({ file_path: '/a', encoding: 'utf-16' }), /UTF-16/);
  refuse(files({ file_path: '/a', timezone: 'Mars' }), /timezone/);
  refuse(files({ file_path: 7 }), /file_path/);
  refuse({ logs: { force_flush_interval: 'soon' } }, /logs\.force_flush_interval/);
  refuse({}, /nothing to collect/);
  refuse({ metrics: { metrics_collected: { cpu: { measurement: ['usage_bogus'] } } } }, /usage_bogus is not a cpu measurement/);
  refuse(
    { logs: { logs_collected: { files: { collect_list: [{ file_path: '/a', log_group_name: 'g', retention_in_days: 7 }, { file_path: '/b', log_group_name: 'g', retention_in_days: 14 }] } } } },
    /retention_in_days is 14 but .*collect_list\[0\] gives the same log group g 7/,
  );
  assert.throws(() => parseAgentConfig('{ not json'), /not valid JSON/);
});

test('config: default group names', () => {
  assert.equal(defaultGroupName('/var/log/app.log.1'), '/var/log/app.log');
  assert.equal(defaultGroupName('/var/log/messages'), '/var/log/messages');
  assert.equal(defaultGroupName('/var/log.d/messages'), '/var/log.d/messages');
});
