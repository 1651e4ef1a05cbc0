/**
 * The segment sealer's thread (segment-sealer.ts): for each request, reads the plaintext Parquet file's
 * layout, seals the file frame by frame (cut at every column chunk, as at-rest.ts describes) into
 * `${dest}.tmp`, syncs it and renames it to `dest`, with blocking calls: this thread has nothing else to do.
 */
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { sealChunks, type DataKey } from '../kms/envelope.js';
import { encodeLayout, frameCuts, layoutOfFile } from './segment-layout.js';
import type { FromSealThread, SealedSegment, ToSealThread } from './segment-sealer.js';

/** Bytes read from the plaintext at a time. */
const READ_BYTES = 1 << 20;

export async function sealSegmentFile(req: ToSealThread): Promise<SealedSegment> {
  const key: DataKey = { keyId: req.keyId, version: req.keyVersion, key: Buffer.from(req.key.buffer, req.key.byteOffset, req.key.byteLength) };
  try {
    const parts = await layoutOfFile(req.plain, req.frameBytes);
    // Frames start at every column chunk: a query reading a column decrypts its chunks, not their neighbours.
    const cuts = frameCuts(parts, req.frameBytes);
    const layout = encodeLayout({ ...parts, cuts });
    const tmp = `${req.dest}.tmp`;
    const src = openSync(req.plain, 'r');
    try {
      const out = openSync(tmp, 'w', 0o600);
      try {
        for await (const piece of sealChunks(readPieces(src), key, req.aad, req.frameBytes, { cuts })) writeFully(out, piece);
        fsyncSync(out);
      } catch (e) {
        closeSync(out);
        rmSync(tmp, { force: true });
        throw e;
      }
      closeSync(out);
    } finally {
      closeSync(src);
    }
    renameSync(tmp, req.dest);
    return { fileBytes: statSync(req.dest).size, layout };
  } finally {
    key.key.fill(0);
  }
}

function* readPieces(fd: number): Generator<Buffer> {
  for (;;) {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    const n = readSync(fd, buf, 0, READ_BYTES, null);
    if (n === 0) return;
    yield buf.subarray(0, n);
  }
}

function writeFully(fd: number, piece: Buffer): void {
  for (let at = 0; at < piece.length; ) at += writeSync(fd, piece, at, piece.length - at);
}

parentPort?.on('message', (req: ToSealThread) => {
  sealSegmentFile(req).then(
    (r) => parentPort!.postMessage({ id: req.id, ...r } satisfies FromSealThread),
    (e: unknown) => parentPort!.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e), ...((e as NodeJS.ErrnoException).code ? { code: (e as NodeJS.ErrnoException).code } : {}) } satisfies FromSealThread),
  );
});
