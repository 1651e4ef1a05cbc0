import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Settling, type SettlingHost } from './settling.js';
import { indexPath, TokenIndex, TokenIndexBuilder } from './token-index.js';

/** A store of one group whose three segments have token indexes, each read counted. */
function host(querying: () => boolean): { host: SettlingHost; reads: string[] } {
  const reads: string[] = [];
  const segments = [1, 2, 3].map((id) => ({ path: `segments/1/${id}.parquet`, groupId: 1, maxTs: id * 1000, rows: 1 }));
  const index = new TokenIndexBuilder();
  index.add(0, 'hello world');
  const bytes = index.finish(1);
  const fake = {
    catalog: { groupsById: new Map([[1, { segments }]]) },
    atRest: {
      dataDir: '/nonexistent',
      openIndex: async (_g: number, rel: string) => {
        reads.push(rel);
        return TokenIndex.parse(bytes);
      },
    },
    logger: pino({ level: 'silent' }),
    closed: () => false,
    quiet: () => true,
    querying,
  };
  return { host: fake as unknown as SettlingHost, reads };
}

test('warming reads the token indexes, newest segment first, and waits while a query reads the store', async () => {
  let busy = true;
  const { host: h, reads } = host(() => busy);
  const settling = new Settling(h);
  settling.indexFilesFound(new Set([1, 2, 3].map((id) => indexPath(`segments/1/${id}.parquet`))));
  const warming = settling.warm();
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(reads, [], 'nothing is read while a query runs');
  busy = false;
  await warming;
  assert.deepEqual(reads, ['segments/1/3.tokens', 'segments/1/2.tokens', 'segments/1/1.tokens']);
});

test('a query that needs an index while warming waits reads it itself, once', async () => {
  const { host: h, reads } = host(() => true);
  const settling = new Settling(h);
  settling.indexFilesFound(new Set([indexPath('segments/1/2.parquet')]));
  const seg = { path: 'segments/1/2.parquet', groupId: 1, maxTs: 2000, rows: 1 };
  const index = await settling.tokenIndex(seg as never);
  assert.ok(index !== null);
  assert.equal(await settling.tokenIndex(seg as never), index, 'the cache answers the second time');
  assert.deepEqual(reads, ['segments/1/2.tokens']);
});
