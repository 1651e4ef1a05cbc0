/**
 * Contract: OTLP/HTTP logs at POST /v1/logs through the real OpenTelemetry JS SDK exporters (protobuf,
 * gzip; and JSON), signed with SigV4 for `logs` by an http.Agent (as the Collector's sigv4auth signs),
 * and with raw protobuf requests: the group/stream rule, the event fields, partial success, IAM refusals
 * that change nothing, and the audit record.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request, type ClientRequest, type RequestOptions } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/api/auth/testing.js';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { DescribeLogGroupsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, stopAndClean, TEST_REGION, type Credentials, type LogwardServer } from '../helpers/server.js';
import { uid } from '../helpers/assert-aws.js';
import { IamClient } from '../../src/cli/iam-client.js';
import { ExportLogsServiceRequest, ExportLogsServiceResponse } from '../../src/ingest/otlp-schema.js';
import type { AuditRecord } from '../../src/api/audit/chain.js';

let srv: LogwardServer;
const run = uid();

before(async () => {
  srv = await startLogward();
});

after(async () => {
  await stopAndClean(srv);
});

const signer = (creds: Credentials): SignatureV4 => new SignatureV4({ service: 'logs', region: TEST_REGION, credentials: creds, sha256: NodeSha256 });

/** Buffers the body an exporter writes, then signs the request (SigV4, service logs) before sending it. */
class SigningAgent extends Agent {
  constructor(private readonly creds: Credentials) {
    super({ keepAlive: false });
  }

  /** http.Agent's hook for each request it is given (not in @types/node). */
  addRequest(req: ClientRequest, options: RequestOptions): void {
    const chunks: Buffer[] = [];
    const end = req.end.bind(req);
    req.write = ((chunk: Buffer | string, enc?: unknown, cb?: unknown): boolean => {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      const done = typeof enc === 'function' ? enc : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
      return true;
    }) as ClientRequest['write'];
    req.end = ((chunk?: unknown, ...rest: unknown[]): ClientRequest => {
      if (chunk !== undefined && typeof chunk !== 'function') chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = { host: String(req.getHeader('host')), 'content-type': String(req.getHeader('content-type')) };
      const enc = req.getHeader('content-encoding');
      if (enc !== undefined) headers['content-encoding'] = String(enc);
      req.removeHeader('content-length');
      req.removeHeader('transfer-encoding');
      void signer(this.creds)
        .sign({ method: 'POST', protocol: 'http:', hostname: String(options.host), path: req.path, headers, body })
        .then((signed) => {
          for (const [k, v] of Object.entries(signed.headers)) req.setHeader(k, v);
          req.setHeader('content-length', body.length);
          end(body, ...(rest.filter((r) => typeof r === 'function') as []));
        });
      return req;
    }) as ClientRequest['end'];
    (Agent.prototype as unknown as { addRequest(r: ClientRequest, o: RequestOptions): void }).addRequest.call(this, req, options);
  }
}

async function eventsOf(group: string, stream?: string): Promise<{ timestamp: number; fields: Record<string, unknown> }[]> {
  const groups = await srv.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
  if (!groups.logGroups?.some((g) => g.logGroupName === group)) return [];
  const page = await srv.client.send(new FilterLogEventsCommand({ logGroupName: group, ...(stream ? { logStreamNames: [stream] } : {}) }));
  return (page.events ?? []).map((e) => ({ timestamp: e.timestamp!, fields: JSON.parse(e.message!) as Record<string, unknown> }));
}

/** A signed POST /v1/logs; resolves with the status, headers and body. */
function post(body: Buffer, contentType: string, creds: Credentials | null = srv.credentials): Promise<{ status: number; type: string; body: Buffer }> {
  const url = new URL(srv.url);
  return new Promise((resolve, reject) => {
    void (async () => {
      const headers: Record<string, string> = { host: url.host, 'content-type': contentType };
      const signed = creds ? (await signer(creds).sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, path: '/v1/logs', headers, body })).headers : headers;
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/v1/logs', headers: { ...signed, 'content-length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(body);
    })();
  });
}

test('the OpenTelemetry SDK protobuf exporter (gzip), signed: service.name names the group, host.name the stream', async () => {
  const service = `checkout-${run}`;
  const exporter = new ProtoExporter({ url: `${srv.url}/v1/logs`, compression: 'gzip' as never, httpAgentOptions: () => new SigningAgent(srv.credentials) });
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': service, 'host.name': 'web-1' }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('payments', '1.2.3');
  const t = Date.now() - 1000;
  logger.emit({ body: 'card declined', severityNumber: SeverityNumber.WARN, severityText: 'WARN', attributes: { 'order.id': 42, retry: true }, timestamp: t });
  logger.emit({ body: { structured: 'yes', n: 7 }, severityNumber: SeverityNumber.ERROR, timestamp: t + 1 });
  await provider.forceFlush();
  await provider.shutdown();
  const got = await eventsOf(service, 'web-1');
  assert.deepEqual(
    got.map((e) => [e.timestamp, e.fields.body, e.fields.severityText, e.fields.severityNumber, e.fields.attributes, e.fields.scope]),
    [
      [t, 'card declined', 'WARN', 13, { 'order.id': 42, retry: true }, { name: 'payments', version: '1.2.3' }],
      [t + 1, { structured: 'yes', n: 7 }, undefined, 17, undefined, { name: 'payments', version: '1.2.3' }],
    ],
  );
  assert.equal((got[0]!.fields.resource as Record<string, unknown>)['service.name'], service);
});

test('the OpenTelemetry SDK JSON exporter, signed; without host.name the stream is service.instance.id', async () => {
  const service = `billing-${run}`;
  const exporter = new JsonExporter({ url: `${srv.url}/v1/logs`, httpAgentOptions: () => new SigningAgent(srv.credentials) });
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': 'pod-7' }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  provider.getLogger('jobs').emit({ body: 'invoice sent', severityNumber: SeverityNumber.INFO, attributes: { amount: 12.5 } });
  await provider.forceFlush();
  await provider.shutdown();
  const got = await eventsOf(service, 'pod-7');
  assert.deepEqual(got.map((e) => [e.fields.body, e.fields.severityNumber, e.fields.attributes]), [['invoice sent', 9, { amount: 12.5 }]]);
});

const kv = (key: string, value: string): object => ({ key, value: { stringValue: value } });

test('raw protobuf: aws.log.group.names wins, trace ids in hex, partial success for a record outside the time window', async () => {
  const group = `/otlp/${run}/raw`;
  const now = Date.now();
  const ns = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();
  const req = ExportLogsServiceRequest.fromObject({
    resourceLogs: [
      {
        resource: { attributes: [kv('service.name', 'ignored'), { key: 'aws.log.group.names', value: { arrayValue: { values: [{ stringValue: group }] } } }, kv('aws.log.stream.names', 'main')] },
        scopeLogs: [
          {
            logRecords: [
              { timeUnixNano: ns(now - 20 * 86_400_000), body: { stringValue: 'too old' } },
              { timeUnixNano: ns(now), body: { stringValue: 'traced' }, traceId: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'), spanId: Buffer.from('1112131415161718', 'hex'), flags: 1 },
              { observedTimeUnixNano: ns(now + 1), body: { kvlistValue: { values: [{ key: 'k', value: { intValue: '5' } }] } } },
            ],
          },
        ],
      },
    ],
  });
  const res = await post(Buffer.from(ExportLogsServiceRequest.encode(req).finish()), 'application/x-protobuf');
  assert.equal(res.status, 200);
  assert.equal(res.type, 'application/x-protobuf');
  const answer = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(res.body), { longs: Number }) as { partialSuccess?: { rejectedLogRecords?: number; errorMessage?: string } };
  assert.equal(answer.partialSuccess?.rejectedLogRecords, 1);
  const got = await eventsOf(group, 'main');
  assert.deepEqual(
    got.map((e) => [e.timestamp, e.fields.body, e.fields.traceId, e.fields.spanId, e.fields.flags]),
    [
      [now, 'traced', '0102030405060708090a0b0c0d0e0f10', '1112131415161718', 1],
      [now + 1, { k: 5 }, undefined, undefined, undefined],
    ],
  );
});

test('bad input and refusals change nothing; the call is audited as logs:PutLogEvents on the group', async () => {
  const badProto = await post(Buffer.from([0x0a, 0x64, 0x01, 0x02]), 'application/x-protobuf');
  assert.equal(badProto.status, 400, badProto.body.toString());
  assert.equal((JSON.parse(badProto.body.toString()) as { __type: string }).__type, 'SerializationException');
  const badJson = await post(Buffer.from('{"resourceLogs": 5}'), 'application/json');
  assert.equal(badJson.status, 400);
  assert.equal((JSON.parse(badJson.body.toString()) as { __type: string }).__type, 'InvalidParameterException');
  const group = `denied-${run}`;
  const body = Buffer.from(JSON.stringify({ resourceLogs: [{ resource: { attributes: [kv('service.name', group)] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' } }] }] }] }));
  assert.equal((await post(body, 'application/json', null)).status, 400); // unsigned: MissingAuthenticationToken

  const iam = IamClient.create({ endpoint: srv.url, region: TEST_REGION, credentials: srv.credentials, credentialSource: 'environment' });
  const user = `otlp-${run}`;
  await iam.call('CreateUser', { UserName: user });
  await iam.call('PutUserPolicy', { UserName: user, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }] }) });
  const key = (await iam.call('CreateAccessKey', { UserName: user })) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
  const creds = { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey };
  // PutLogEvents alone: the group does not exist and may not be created by this caller.
  let denied: { status: number; type: string; body: Buffer } = { status: 0, type: '', body: Buffer.alloc(0) };
  denied = await post(body, 'application/json', creds);
  // As CloudWatch Logs answers it: 400, AccessDeniedException, naming the action that is missing.
  assert.equal(denied.status, 400, denied.body.toString());
  const why = JSON.parse(denied.body.toString()) as { __type: string; message: string };
  assert.equal(why.__type, 'AccessDeniedException');
  assert.match(why.message, /not authorized to perform: logs:CreateLogGroup on resource: arn:aws:logs:us-east-1:000000000000:log-group:denied-/);
  assert.deepEqual(await eventsOf(group), []);

  // A service may not name a group where Logward makes its own (a dead-letter group would take another group's events).
  const reservedGroup = `/logward/subscriptions/dead-letter/reserved-${run}`;
  const reserved = await post(Buffer.from(JSON.stringify({ resourceLogs: [{ resource: { attributes: [kv('service.name', reservedGroup)] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' } }] }] }] })), 'application/json');
  assert.equal(reserved.status, 400, reserved.body.toString());
  assert.deepEqual(JSON.parse(reserved.body.toString()), { __type: 'InvalidParameterException', message: "Log group names can't start with the string /logward/" });
  assert.deepEqual(await eventsOf(reservedGroup), [], 'no group was made');

  const ok = await post(body, 'application/json');
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body.toString()), {});
  const audit = await srv.client.send(new FilterLogEventsCommand({ logGroupName: 'logward/audit', filterPattern: `"${group}"` }));
  const records = (audit.events ?? []).map((e) => JSON.parse(e.message!) as AuditRecord);
  assert.deepEqual(
    records.map((r) => [r.action, r.httpStatus, r.errorCode, r.resources]),
    [
      ['logs:PutLogEvents', 400, 'AccessDeniedException', [`arn:aws:logs:us-east-1:000000000000:log-group:${group}`]],
      ['logs:PutLogEvents', 200, null, [`arn:aws:logs:us-east-1:000000000000:log-group:${group}`]],
    ],
  );
});
