/**
 * Exactly once across a crash: the server is SIGKILLed while a folder source is in the middle of a large
 * CloudTrail file (seen in the source's state file: some of the object's events stored, not all), then
 * restarted on the same data dir; every record of every delivered file must then be stored exactly once.
 *
 * The kill is placed by watching the state, not by timing; if an object is finished before the kill
 * lands, another one is delivered and the kill tried again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { runLogward, startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { filterAll, sleep } from '../helpers/assert-aws.js';

const RECORDS = fileURLToPath(new URL('../../../test/fixtures/cloudtrail-stratus-red-team/records.jsonl.gz', import.meta.url));
const DIR = 'AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/';
/** Copies of the 2,900 fixture records in one file (about 18 MB, some 18 batches of 1 MiB). */
const COPIES = 5;
const ATTEMPTS = 5;

interface State {
  current: { key: string; events: number; done: number } | null;
  partitions: Record<string, { recent: Record<string, number> }>;
  counts: { objects: number };
}

async function readState(path: string): Promise<State | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as State;
  } catch {
    return null; // not written yet
  }
}

test('SIGKILL in the middle of a large object: after the restart every record is stored exactly once', async () => {
  const root = await mkdtemp(join(tmpdir(), 'logward-crash-src-'));
  const lines = gunzipSync(await readFile(RECORDS)).toString('utf8').split('\n').filter((l) => l !== '');
  const base = lines.map((l) => JSON.parse(l) as Record<string, unknown> & { eventID: string });
  let srv: LogwardServer | undefined;
  try {
    await mkdir(join(root, ...DIR.split('/')), { recursive: true });
    srv = await startLogward();
    const added = await runLogward(srv, ['sources', 'add', 'folder', root, '--name', 'big', '--log-group', 'crash-trail', '--poll-seconds', '0.2']);
    assert.equal(added.code, 0, added.stderr);
    const statePath = join(srv.dataDir, 'sources', 'state', 'big.json');
    const partition = DIR.replace(/2023\/07\/10\/$/, '');
    const expected = new Set<string>();
    let killedMidway: State['current'] = null;
    for (let attempt = 0; attempt < ATTEMPTS && killedMidway === null; attempt++) {
      const key = `${DIR}218007301253_CloudTrail_us-east-1_20230710T12${String(attempt).padStart(2, '0')}Z_big${attempt}.json`;
      const records = Array.from({ length: COPIES }, (_, c) => base.map((r) => ({ ...r, eventID: `${r.eventID}#${attempt}.${c}` }))).flat();
      for (const r of records) expected.add(r.eventID);
      // Written aside and renamed, as a delivery would: the source never sees half a file.
      await writeFile(join(root, `.${attempt}.tmp`), JSON.stringify({ Records: records }));
      await rename(join(root, `.${attempt}.tmp`), join(root, ...key.split('/')));
      for (;;) {
        const st = await readState(statePath);
        if (st?.current?.key === key && st.current.done > 0) {
          await srv.kill();
          killedMidway = (await readState(statePath))!.current;
          break;
        }
        if (st?.partitions[partition]?.recent[key] !== undefined) break; // finished before the kill: again
        await sleep(1);
      }
    }
    assert.ok(killedMidway !== null, `no kill landed in the middle of an object in ${ATTEMPTS} attempts`);
    assert.ok(killedMidway.done > 0 && killedMidway.done < killedMidway.events, `killed mid-object: ${JSON.stringify(killedMidway)}`);

    srv = await startLogward({ dataDir: srv.dataDir });
    for (let i = 0; ; i++) {
      const st = await readState(statePath);
      if (st !== null && st.current === null && Object.keys(st.partitions[partition]?.recent ?? {}).length === expected.size / (COPIES * base.length)) break;
      if (i > 3000) assert.fail(`the source did not finish after the restart: ${JSON.stringify(st?.current)}`);
      await sleep(50);
    }
    const { events } = await filterAll(srv.client, { logGroupName: 'crash-trail', startTime: 0 });
    const seen = new Map<string, number>();
    for (const e of events) {
      const id = (JSON.parse(e.message!) as { eventID: string }).eventID;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    const missing = [...expected].filter((id) => !seen.has(id));
    assert.deepEqual({ twice: twice.slice(0, 5), missing: missing.slice(0, 5) }, { twice: [], missing: [] });
    assert.equal(events.length, expected.size);
  } finally {
    await stopAndClean(srv);
    await rm(root, { recursive: true, force: true });
  }
});
