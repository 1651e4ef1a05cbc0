/**
 * A segment's token index (token-index.ts) sealed with the group's data key so that it opens in parts:
 * the index is sealed in frames (envelope.ts sealChunks, format 2) cut after its header and where its
 * posting lists start. Opening it decrypts the header (the first frame, whose sizes give the frame
 * table), then the words and their arrays; the posting lists, about seven eighths of the index on the
 * benchmark's logs, stay sealed on disk, and a lookup decrypts only the frames that hold the lists of the
 * words it matched. A query after a restart thus decrypts a few MiB of index instead of tens.
 *
 * Every frame is authenticated with its place in the plaintext and whether it is the last, and the file's
 * size must be the one the authenticated header implies, so a file cut short, padded, or with frames
 * moved fails (DecryptionFailedError or TruncatedStreamError) instead of giving a wrong answer. Indexes
 * sealed whole (one object, before this format) are opened whole by the caller (at-rest.ts).
 */
import { promises as fsp } from 'node:fs';
import { chunkLayout, frameSpan, frameStarts, openFirstFrame, openFrameAt, sealChunks, streamHeader, streamKeyRef, type ChunkLayout, type DataKey, type KeyRef } from '../kms/envelope.js';
import { TruncatedStreamError } from '../kms/errors.js';
import { TOKEN_INDEX_HEADER_BYTES, TokenIndex, tokenIndexShape } from './token-index.js';

/** Plaintext bytes of a frame, at most: a lookup decrypts whole frames, so small ones waste little. */
const INDEX_FRAME = 16 * 1024;

/** The index `index` sealed under `key` for the place `aad`, in frames cut after its header and at its posting lists. */
export async function sealIndex(index: Uint8Array, key: DataKey, aad: Uint8Array): Promise<Buffer> {
  const { headBytes } = tokenIndexShape(index);
  const parts: Buffer[] = [];
  for await (const p of sealChunks([index], key, aad, INDEX_FRAME, { cuts: [TOKEN_INDEX_HEADER_BYTES, headBytes] })) parts.push(p);
  return Buffer.concat(parts);
}

/** Bytes of a sealed index to read first (or all of it, if smaller): they hold its stream header and first frame. */
export const SEALED_INDEX_HEAD_BYTES = 4096;

/**
 * The sealed index open as `fh` (`head`: its first SEALED_INDEX_HEAD_BYTES bytes, or all of it; `size`:
 * its size), opened without its posting lists, which its lookups read from the file at `path` as they
 * need them. The caller closes `fh`.
 */
export async function openSealedIndex(
  fh: fsp.FileHandle,
  path: string,
  head: Buffer,
  size: number,
  keyFor: (ref: KeyRef) => Promise<DataKey>,
  aad: Uint8Array,
): Promise<TokenIndex> {
  const header = streamHeader(head);
  const key = await keyFor(streamKeyRef(head));
  const { headBytes, total } = tokenIndexShape(openFirstFrame(head, key, TOKEN_INDEX_HEADER_BYTES, aad));
  // The frame table follows from the authenticated sizes; a file of another size is not this index.
  const layout = chunkLayout(head, size, frameStarts([TOKEN_INDEX_HEADER_BYTES, headBytes], header.chunkSize, total));
  if (layout.plaintextBytes !== total) throw new TruncatedStreamError(`the sealed token index ${path} is ${size} bytes, not the size its header gives`);
  const plain = Buffer.allocUnsafeSlow(headBytes); // its own memory, aligned for the index's Int32Array views
  for (const [i, bytes] of await openFrames(fh, path, layout, key, aad, framesOf(layout, 0, headBytes))) bytes.copy(plain, layout.starts[i]!);
  return TokenIndex.withLists(plain, async (ranges) => {
    const wanted = new Set<number>();
    for (const [a, b] of ranges) if (b > a) for (const i of framesOf(layout, headBytes + a, headBytes + b)) wanted.add(i);
    const fh = await fsp.open(path, 'r');
    let frames: Map<number, Buffer>;
    try {
      frames = await openFrames(fh, path, layout, key, aad, [...wanted].sort((x, y) => x - y));
    } finally {
      await fh.close();
    }
    return ranges.map(([a, b]) => {
      if (b <= a) return Buffer.alloc(0);
      const pieces: Buffer[] = [];
      for (const i of framesOf(layout, headBytes + a, headBytes + b)) {
        const start = layout.starts[i]!;
        const bytes = frames.get(i)!;
        pieces.push(bytes.subarray(Math.max(0, headBytes + a - start), Math.min(bytes.length, headBytes + b - start)));
      }
      return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
    });
  });
}

/** Indexes of the frames holding plaintext [from, to). */
function framesOf(layout: ChunkLayout, from: number, to: number): number[] {
  const out: number[] = [];
  const { starts } = layout;
  let i = starts.findLastIndex((s) => s <= from);
  for (; i < starts.length && starts[i]! < to; i++) out.push(i);
  return out;
}

/** The plaintext of frames `indexes` (ascending) of the sealed file, authenticated; runs of adjacent frames are read at once. */
async function openFrames(fh: fsp.FileHandle, path: string, layout: ChunkLayout, key: DataKey, aad: Uint8Array, indexes: readonly number[]): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  for (let k = 0; k < indexes.length; ) {
    let n = 1;
    while (k + n < indexes.length && indexes[k + n] === indexes[k]! + n) n++;
    const first = frameSpan(layout, indexes[k]!);
    const last = frameSpan(layout, indexes[k + n - 1]!);
    const sealed = await readFully(fh, first.offset, last.offset + last.length - first.offset, path);
    for (let j = 0; j < n; j++) {
      const span = frameSpan(layout, indexes[k + j]!);
      out.set(indexes[k + j]!, openFrameAt(layout, key, indexes[k + j]!, sealed.subarray(span.offset - first.offset, span.offset - first.offset + span.length), aad));
    }
    k += n;
  }
  return out;
}

async function readFully(fh: fsp.FileHandle, offset: number, length: number, path: string): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  for (let got = 0; got < length; ) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) throw new TruncatedStreamError(`the sealed token index ${path} ended at ${offset + got}`);
    got += bytesRead;
  }
  return buf;
}
