/**
 * OpenSearch / Elasticsearch targets (what `arn:aws:es:...:domain/<name>` is bound to): one `_bulk`
 * request per batch, each event indexed into `<prefix>-YYYY.MM.DD` (UTC day of the event) with
 * `@timestamp`, `@message`, `@owner`, `@log_group`, `@log_stream`, `@id` and, when the message is a JSON
 * object, its fields at the top level, as the function CloudWatch's console creates for OpenSearch
 * does. The event id is the document `_id`, so a retried batch overwrites rather than duplicates.
 * CONTROL_MESSAGEs are not indexed (that function skips them too).
 */
import { z } from 'zod';
import { post } from '../http-post.js';
import type { SubscriptionMessage } from '../payload.js';
import type { SinkSpec } from './types.js';

const schema = z.strictObject({
  url: z.string().min(1).max(2048),
  indexPrefix: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,200}$/, 'lower-case letters, digits, _ . - (an index name prefix)'),
  timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
});

const day = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}`;
};

/** The NDJSON body of a _bulk request for the data messages. */
export function bulkBody(indexPrefix: string, messages: readonly SubscriptionMessage[]): string {
  const lines: string[] = [];
  for (const m of messages) {
    if (m.messageType !== 'DATA_MESSAGE') continue;
    for (const e of m.logEvents) {
      const doc: Record<string, unknown> = { ...jsonFields(e.message) };
      Object.assign(doc, {
        '@id': e.id,
        '@timestamp': new Date(e.timestamp).toISOString(),
        '@message': e.message,
        '@owner': m.owner,
        '@log_group': m.logGroup,
        '@log_stream': m.logStream,
      });
      lines.push(JSON.stringify({ index: { _index: `${indexPrefix}-${day(e.timestamp)}`, _id: e.id } }), JSON.stringify(doc));
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function jsonFields(message: string): Record<string, unknown> {
  const t = message.trimStart();
  if (!t.startsWith('{')) return {};
  try {
    const v: unknown = JSON.parse(t);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {}; // not JSON after all: indexed as text only
  }
}

export const opensearchSink: SinkSpec<typeof schema> = {
  schema,
  check: (c, policy) => void policy.checkUrl(c.url),
  batching: () => ({ maxBytes: 5 * 1024 * 1024, maxMs: 1000 }),
  controlName: 'OpenSearch domain',
  build: (c, ctx) => ({
    async deliver(batch, signal) {
      const body = bulkBody(c.indexPrefix, batch.messages);
      if (body === '') return;
      const res = await post(ctx.policy, new URL('_bulk', c.url.endsWith('/') ? c.url : `${c.url}/`).href, Buffer.from(body), { 'content-type': 'application/x-ndjson' }, c.timeoutMs, signal);
      if (res.status < 200 || res.status >= 300) throw new Error(`OpenSearch answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
      // A 200 can still hold failed items: the whole batch is retried (ids make that idempotent).
      const out = JSON.parse(res.body) as { errors?: boolean; items?: Array<Record<string, { status?: number; error?: unknown }>> };
      if (out.errors === true) {
        const failed = (out.items ?? []).map((i) => Object.values(i)[0]).find((r) => r !== undefined && (r.status ?? 500) >= 300);
        throw new Error(`OpenSearch refused some documents: ${JSON.stringify(failed?.error ?? 'unknown').slice(0, 200)}`);
      }
    },
    async health(signal) {
      ctx.policy.checkUrl(c.url);
      void signal;
    },
    async close() {},
  }),
};
