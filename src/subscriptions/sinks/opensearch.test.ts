/**
 * OpenSearch targets against a recording HTTP server: no OpenSearch server can be installed on these
 * machines, so the exact _bulk request is what is tested (the format is OpenSearch's documented one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHarness, recordingServer, waitFor } from '../testing.js';

test('events are indexed with _bulk into <prefix>-YYYY.MM.DD with @timestamp, @message and the JSON fields', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const peer = await recordingServer((r) => ({ status: 200, body: JSON.stringify({ took: 1, errors: false, items: [] }) }));
  const h = await openHarness(dir);
  try {
    const g = await h.group('app');
    await h.subscribe(g, 'all', '', { kind: 'opensearch', name: 'search', config: { url: peer.url, indexPrefix: 'cwl' }, createdMs: Date.now() }, 'arn:aws:es:us-east-1:000000000000:domain/search');
    await h.put(g, 's1', ['{"level":"ERROR","user":{"id":7}}', 'plain text']);
    await waitFor('one _bulk request', () => peer.requests.length >= 1);
    const req = peer.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/_bulk');
    assert.equal(req.headers['content-type'], 'application/x-ndjson');
    const text = req.body.toString('utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    assert.equal(lines.length, 4, 'an action and a document per event; no CONTROL_MESSAGE');
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '.');
    assert.equal(lines[0]!.index._index, `cwl-${day}`);
    assert.match(lines[0]!.index._id, /^\d{56}$/);
    assert.equal(lines[1]!['@message'], '{"level":"ERROR","user":{"id":7}}');
    assert.equal(lines[1]!.level, 'ERROR');
    assert.deepEqual(lines[1]!.user, { id: 7 });
    assert.equal(lines[1]!['@log_group'], 'app');
    assert.equal(lines[1]!['@log_stream'], 's1');
    assert.match(lines[1]!['@timestamp'], /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(lines[3]!['@message'], 'plain text');
    assert.equal(lines[3]!.level, undefined);
  } finally {
    await h.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a 200 with failed items is retried until the cluster takes them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  let calls = 0;
  const peer = await recordingServer(() =>
    ++calls < 3
      ? { status: 299, body: JSON.stringify({ errors: true, items: [{ index: { status: 429, error: { type: 'es_rejected_execution_exception' } } }] }) }
      : { status: 200, body: JSON.stringify({ errors: false, items: [] }) },
  );
  const h = await openHarness(dir);
  try {
    const g = await h.group('app');
    await h.subscribe(g, 'all', '', { kind: 'opensearch', name: 'search', config: { url: peer.url, indexPrefix: 'cwl' }, createdMs: Date.now() }, 'arn:aws:es:us-east-1:000000000000:domain/search');
    await h.put(g, 's1', ['x']);
    await waitFor('the accepted request', () => calls >= 3 && h.engine.stats()[0]!.deliveredEvents === 1);
    assert.match(String(h.engine.stats()[0]!.retries), /^[2-9]/);
  } finally {
    await h.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
