/**
 * The agent's configuration: the CloudWatch agent's JSON format (its `agent`, `logs` and `metrics`
 * sections), so an existing amazon-cloudwatch-agent.json works unchanged. Parsed once, here.
 *
 * Keys this agent does not know (other sections, options of the CloudWatch agent it does not implement)
 * are ignored with a warning naming each one; a known key with a bad value is refused with a message that
 * names its path and what was expected (ConfigError, exit 2 from the CLI).
 */
import { z } from 'zod';
import { compileTimestampFormat, type TimestampFormat } from './timestamp-format.js';
import { compileRegex, ConfigError } from './regex.js';

/** PutRetentionPolicy's values (the CloudWatch Logs service model). */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export { ConfigError };

export interface FileEntry {
  /** Where in the configuration this entry is, for messages: `logs.logs_collected.files.collect_list[0]`. */
  where: string;
  filePath: string;
  /** May hold {instance_id}, {hostname}, {local_hostname}, {ip_address}; resolved by the agent. */
  logGroupName: string;
  logStreamName: string;
  logGroupClass?: 'STANDARD' | 'INFREQUENT_ACCESS';
  retentionInDays?: number;
  timestamp?: TimestampFormat;
  /** Removes the matched timestamp from the message (the CloudWatch agent's trim_timestamp). */
  trimTimestamp: boolean;
  multiLineStart?: RegExp;
  encoding: string;
  filters: { type: 'include' | 'exclude'; expression: RegExp }[];
  /** Every matched file is read; else files never seen before are read only when they are the newest match. */
  publishMultiLogs: boolean;
}

export type MetricPlugin = 'cpu' | 'mem' | 'swap' | 'disk' | 'net';

export interface MetricSpec {
  /** The measurement as the plugin names it: `usage_idle`, `used_percent`, `bytes_sent`. */
  measurement: string;
  /** The metric name sent: `<plugin>_<measurement>` unless renamed. */
  name: string;
  unit?: string;
}

export interface MetricsConfig {
  namespace: string;
  intervalMs: number;
  /** Added to every metric; `${aws:InstanceId}` and the like are resolved from the host. */
  appendDimensions: Record<string, string>;
  plugins: { plugin: MetricPlugin; metrics: MetricSpec[]; resources: string[]; intervalMs: number; totalcpu: boolean }[];
}

export interface AgentConfig {
  files: FileEntry[];
  /** A batch that is not full is sent once its oldest event has waited this long (force_flush_interval). */
  flushIntervalMs: number;
  metrics?: MetricsConfig;
  warnings: string[];
}

const ENCODINGS_REFUSED = new Set(['utf-16', 'utf-16le', 'utf-16be', 'utf-32', 'utf-32le', 'utf-32be', 'utf16', 'utf32']);

const nameTemplate = z.string().min(1).max(512);
const fileEntrySchema = z.object({
  file_path: z.string().min(1).max(4096),
  log_group_name: nameTemplate.optional(),
  log_stream_name: nameTemplate.optional(),
  log_group_class: z.enum(['STANDARD', 'INFREQUENT_ACCESS']).optional(),
  retention_in_days: z.number().int().optional(),
  timestamp_format: z.string().min(1).optional(),
  timezone: z.enum(['Local', 'UTC']).optional(),
  trim_timestamp: z.boolean().optional(),
  multi_line_start_pattern: z.string().min(1).optional(),
  encoding: z.string().min(1).optional(),
  publish_multi_logs: z.boolean().optional(),
  filters: z.array(z.object({ type: z.enum(['include', 'exclude']), expression: z.string().min(1) })).optional(),
});
const FILE_KEYS_IGNORED = ['auto_removal', 'destination', 'backpressure_mode', 'service.name', 'deployment.environment'];

const measurementSchema = z.union([
  z.string().min(1),
  z.object({ name: z.string().min(1), rename: z.string().min(1).optional(), unit: z.string().min(1).optional() }),
]);
const pluginSchema = z.object({
  measurement: z.array(measurementSchema).min(1),
  resources: z.array(z.string().min(1)).optional(),
  totalcpu: z.boolean().optional(),
  metrics_collection_interval: z.number().int().min(1).optional(),
});

const topSchema = z.object({
  agent: z.object({ metrics_collection_interval: z.number().int().min(1).optional() }).optional(),
  logs: z
    .object({
      logs_collected: z.object({ files: z.object({ collect_list: z.array(z.unknown()).min(1) }).optional() }).optional(),
      log_stream_name: nameTemplate.optional(),
      force_flush_interval: z.number().int().min(1).max(3600).optional(),
    })
    .optional(),
  metrics: z
    .object({
      namespace: z.string().min(1).max(255).optional(),
      append_dimensions: z.record(z.string(), z.string()).optional(),
      metrics_collected: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

const KNOWN: Record<string, readonly string[]> = {
  '': ['agent', 'logs', 'metrics'],
  agent: ['metrics_collection_interval'],
  logs: ['logs_collected', 'log_stream_name', 'force_flush_interval'],
  'logs.logs_collected': ['files'],
  'logs.logs_collected.files': ['collect_list'],
  metrics: ['namespace', 'append_dimensions', 'metrics_collected'],
};

/** Metrics each plugin can measure (a subset of the CloudWatch agent's), and their units. */
export const PLUGIN_MEASUREMENTS: Record<MetricPlugin, Record<string, string>> = {
  cpu: { usage_active: 'Percent', usage_idle: 'Percent', usage_user: 'Percent', usage_system: 'Percent', usage_iowait: 'Percent', usage_nice: 'Percent', usage_irq: 'Percent', usage_softirq: 'Percent', usage_steal: 'Percent' },
  mem: { used_percent: 'Percent', available_percent: 'Percent', used: 'Bytes', available: 'Bytes', total: 'Bytes', free: 'Bytes', cached: 'Bytes', buffered: 'Bytes' },
  swap: { used_percent: 'Percent', used: 'Bytes', free: 'Bytes' },
  disk: { used_percent: 'Percent', used: 'Bytes', free: 'Bytes', total: 'Bytes', inodes_used: 'Count', inodes_free: 'Count', inodes_total: 'Count' },
  net: { bytes_sent: 'Bytes', bytes_recv: 'Bytes', packets_sent: 'Count', packets_recv: 'Count', err_in: 'Count', err_out: 'Count', drop_in: 'Count', drop_out: 'Count' },
};

function describeZod(error: z.ZodError, prefix: string): string {
  return error.issues
    .map((i) => {
      const path = [prefix, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/^\./, '');
      return `${path === '' ? 'the configuration' : path}: ${i.message}`;
    })
    .join('; ');
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ConfigError(`invalid agent configuration: ${describeZod(r.error, where)}`);
  return r.data;
}

function unknownKeys(value: unknown, known: readonly string[], where: string, warnings: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) warnings.push(`${where === '' ? key : `${where}.${key}`} is not supported by the logward agent and is ignored`);
  }
}

function get(value: unknown, path: string): unknown {
  let v: unknown = value;
  for (const k of path.split('.')) {
    if (k === '') continue;
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** The configuration from the text of an agent.json; throws ConfigError. */
export function parseAgentConfig(text: string): AgentConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`the agent configuration is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return agentConfigFromJson(json);
}

export function agentConfigFromJson(json: unknown): AgentConfig {
  const warnings: string[] = [];
  const top = parseWith(topSchema, json, '');
  for (const [where, known] of Object.entries(KNOWN)) unknownKeys(get(json, where), known, where, warnings);

  const defaultStream = top.logs?.log_stream_name ?? '{instance_id}';
  const rawList = top.logs?.logs_collected?.files?.collect_list ?? [];
  const files = rawList.map((raw, i) => fileEntry(raw, `logs.logs_collected.files.collect_list[${i}]`, defaultStream, warnings));

  const retention = new Map<string, { days: number | undefined; where: string }>();
  for (const f of files) {
    const seen = retention.get(f.logGroupName);
    if (seen !== undefined && seen.days !== f.retentionInDays && f.retentionInDays !== undefined && seen.days !== undefined) {
      throw new ConfigError(
        `invalid agent configuration: ${f.where}.retention_in_days is ${f.retentionInDays} but ${seen.where} gives the same log group ${f.logGroupName} ${seen.days}`,
      );
    }
    if (seen === undefined || seen.days === undefined) retention.set(f.logGroupName, { days: f.retentionInDays, where: f.where });
  }
  if (files.length === 0 && top.metrics === undefined) {
    throw new ConfigError('invalid agent configuration: nothing to collect: give logs.logs_collected.files.collect_list or metrics.metrics_collected');
  }

  const defaultIntervalMs = (top.agent?.metrics_collection_interval ?? 60) * 1000;
  const metrics = top.metrics === undefined ? undefined : metricsConfig(top.metrics, defaultIntervalMs, warnings);
  return { files, flushIntervalMs: (top.logs?.force_flush_interval ?? 5) * 1000, ...(metrics === undefined ? {} : { metrics }), warnings };
}

function fileEntry(raw: unknown, where: string, defaultStream: string, warnings: string[]): FileEntry {
  const e = parseWith(fileEntrySchema, raw, where);
  for (const key of Object.keys(raw as object)) {
    if (key in fileEntrySchema.shape) continue;
    warnings.push(`${where}.${key} ${FILE_KEYS_IGNORED.includes(key) ? 'is not implemented by the logward agent' : 'is not a known key'} and is ignored`);
  }
  if (e.retention_in_days !== undefined && e.retention_in_days > 0 && !(RETENTION_DAYS as readonly number[]).includes(e.retention_in_days)) {
    throw new ConfigError(`invalid agent configuration: ${where}.retention_in_days must be -1 or one of ${RETENTION_DAYS.join(', ')}; got ${e.retention_in_days}`);
  }
  const timestamp = e.timestamp_format === undefined ? undefined : compileTimestampFormat(e.timestamp_format, e.timezone ?? 'Local', `${where}.timestamp_format`);
  let multiLineStart: RegExp | undefined;
  if (e.multi_line_start_pattern === '{timestamp_format}') {
    if (timestamp === undefined) throw new ConfigError(`invalid agent configuration: ${where}.multi_line_start_pattern is {timestamp_format} but the entry has no timestamp_format`);
    multiLineStart = timestamp.regex;
  } else if (e.multi_line_start_pattern !== undefined) {
    multiLineStart = compileRegex(e.multi_line_start_pattern, `${where}.multi_line_start_pattern`);
  }
  const encoding = (e.encoding ?? 'utf-8').toLowerCase();
  if (ENCODINGS_REFUSED.has(encoding)) throw new ConfigError(`invalid agent configuration: ${where}.encoding ${e.encoding}: UTF-16 and UTF-32 files are not supported yet; use an ASCII-compatible encoding`);
  try {
    new TextDecoder(encoding);
  } catch (cause) {
    throw new ConfigError(`invalid agent configuration: ${where}.encoding: unknown encoding ${e.encoding}`, { cause });
  }
  const groupName = e.log_group_name ?? defaultGroupName(e.file_path);
  return {
    where,
    filePath: e.file_path,
    logGroupName: groupName,
    logStreamName: e.log_stream_name ?? defaultStream,
    ...(e.log_group_class === undefined ? {} : { logGroupClass: e.log_group_class }),
    ...(e.retention_in_days === undefined || e.retention_in_days <= 0 ? {} : { retentionInDays: e.retention_in_days }),
    ...(timestamp === undefined ? {} : { timestamp }),
    trimTimestamp: e.trim_timestamp ?? false,
    ...(multiLineStart === undefined ? {} : { multiLineStart }),
    encoding,
    filters: (e.filters ?? []).map((f, i) => ({ type: f.type, expression: compileRegex(f.expression, `${where}.filters[${i}].expression`) })),
    publishMultiLogs: e.publish_multi_logs ?? false,
  };
}

/** As the CloudWatch agent: the file path up to its last period (/var/log/app.log.1 → /var/log/app.log). */
export function defaultGroupName(filePath: string): string {
  const slash = filePath.lastIndexOf('/');
  const dot = filePath.lastIndexOf('.');
  return dot > slash + 1 ? filePath.slice(0, dot) : filePath;
}

function metricsConfig(m: z.infer<typeof topSchema>['metrics'] & object, defaultIntervalMs: number, warnings: string[]): MetricsConfig {
  const plugins: MetricsConfig['plugins'] = [];
  for (const [name, raw] of Object.entries(m.metrics_collected ?? {})) {
    const where = `metrics.metrics_collected.${name}`;
    if (!(name in PLUGIN_MEASUREMENTS)) {
      warnings.push(`${where} is not supported by the logward agent and is ignored (supported: ${Object.keys(PLUGIN_MEASUREMENTS).join(', ')})`);
      continue;
    }
    const plugin = name as MetricPlugin;
    const p = parseWith(pluginSchema, raw, where);
    unknownKeys(raw, Object.keys(pluginSchema.shape), where, warnings);
    const metrics: MetricSpec[] = [];
    p.measurement.forEach((meas, i) => {
      const spec = typeof meas === 'string' ? { name: meas } : meas;
      // The CloudWatch agent accepts both `usage_idle` and `cpu_usage_idle`.
      const measurement = spec.name.startsWith(`${plugin}_`) ? spec.name.slice(plugin.length + 1) : spec.name;
      const unit = PLUGIN_MEASUREMENTS[plugin][measurement];
      if (unit === undefined) {
        throw new ConfigError(
          `invalid agent configuration: ${where}.measurement[${i}]: ${spec.name} is not a ${plugin} measurement the logward agent knows (known: ${Object.keys(PLUGIN_MEASUREMENTS[plugin]).join(', ')})`,
        );
      }
      metrics.push({ measurement, name: 'rename' in spec && spec.rename !== undefined ? spec.rename : `${plugin}_${measurement}`, unit: ('unit' in spec ? spec.unit : undefined) ?? unit });
    });
    plugins.push({
      plugin,
      metrics,
      resources: p.resources ?? ['*'],
      intervalMs: (p.metrics_collection_interval ?? 0) * 1000 || defaultIntervalMs,
      totalcpu: p.totalcpu ?? true,
    });
  }
  return { namespace: m.namespace ?? 'CWAgent', intervalMs: defaultIntervalMs, appendDimensions: m.append_dimensions ?? {}, plugins };
}
