/**
 * A gzip member (RFC 1952) assembled from pieces deflated separately, so that the costly part of a
 * subscription payload, the deflated JSON of a run of events, is computed once and shared by every
 * message, and every subscription, that carries that run.
 *
 * Each piece is raw deflate ended by a full flush (byte-aligned, not final, window reset), so pieces can
 * follow one another in one deflate stream (back-references never cross a piece). Short literal pieces (the JSON
 * around the events) go as stored blocks. The member ends with an empty final block, then the CRC-32 and
 * length of the whole text; the CRC is combined from the pieces' CRCs without reading their text again.
 * The result is one ordinary gzip member: any gunzip reads it, including readers that stop after the
 * first member.
 */
import { constants, crc32 as nativeCrc32, deflateRawSync } from 'node:zlib';

/** Deflated text with what the gzip trailer needs of it. */
export interface DeflatedPiece {
  /** Raw deflate blocks, byte-aligned, none of them final. */
  data: Buffer;
  crc: number;
  /** UTF-8 bytes of the text. */
  length: number;
}

const POLY = 0xedb88320;

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of gzip; zlib's own when this Node has it (20.15 and later). */
export function crc32(data: Buffer): number {
  if (typeof nativeCrc32 === 'function') return nativeCrc32(data) >>> 0;
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** a(x) * b(x) modulo the CRC polynomial (reflected), as zlib's multmodp. */
function multmodp(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) modulo the polynomial. */
const X2N = (() => {
  const t = new Array<number>(32);
  let p = 0x40000000; // x^1
  t[0] = p;
  for (let n = 1; n < 32; n++) t[n] = p = multmodp(p, p);
  return t;
})();

/** CRC-32 of A followed by B, from crc(A), crc(B) and B's length (zlib's crc32_combine). */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  // x^(8 * lengthB): lengthB fits in 2^53, so go by halves of its binary digits.
  let p = 0x80000000; // x^0
  let n = lengthB;
  let k = 3;
  while (n > 0) {
    if (n % 2 === 1) p = multmodp(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return (multmodp(p, crcA) ^ crcB) >>> 0;
}

/** Text as stored (uncompressed) deflate blocks: cheap for the few bytes around the events. */
export function storedPiece(text: string): DeflatedPiece {
  const raw = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let at = 0; ; at += 65535) {
    const chunk = raw.subarray(at, at + 65535);
    const head = Buffer.alloc(5); // BFINAL 0, BTYPE 00 (stored), LEN, NLEN
    head.writeUInt16LE(chunk.length, 1);
    head.writeUInt16LE(~chunk.length & 0xffff, 3);
    parts.push(head, chunk);
    if (at + 65535 >= raw.length) break;
  }
  return { data: Buffer.concat(parts), crc: crc32(raw), length: raw.length };
}

/**
 * Deflates UTF-8 text into a piece: its own deflate stream at the fastest level, ended by a full flush
 * (byte-aligned, not final). Synchronous: it runs in the subscription encoder's thread (piece-encoder.ts).
 * memLevel 9 (a larger hash table): the same size as the default 8 on the bench's JSON log lines, about 6%
 * less CPU.
 */
export function deflatedPiece(raw: Buffer): DeflatedPiece {
  const data = deflateRawSync(raw, { level: constants.Z_BEST_SPEED, memLevel: 9, finishFlush: constants.Z_FULL_FLUSH });
  return { data, crc: crc32(raw), length: raw.length };
}

const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]); // deflate, no name, no time, unknown OS
const FINAL = Buffer.from([1, 0, 0, 0xff, 0xff]); // an empty final stored block

/** One gzip member holding the pieces' texts, in order. */
export function gzipOfPieces(pieces: readonly DeflatedPiece[]): Buffer {
  let crc = 0;
  let length = 0;
  const parts: Buffer[] = [HEADER];
  for (const p of pieces) {
    crc = length === 0 ? p.crc : crc32Combine(crc, p.crc, p.length);
    length += p.length;
    parts.push(p.data);
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  parts.push(FINAL, trailer);
  return Buffer.concat(parts);
}
