/**
 * Envelope encryption of one object (seal/open) and of a stream in authenticated chunks
 * (sealChunks/openChunks), with AES-256-GCM from node:crypto (OpenSSL).
 *
 * Single object, format 1 (all integers big-endian):
 *
 *   "LWE" 0x01 | idLen u8 | keyId (idLen bytes, UTF-8) | keyVersion u32 | nonce (12, random) | tag (16) | ciphertext
 *
 * Chunked stream, format 2 (written) and 1 (read):
 *
 *   header: "LWS" version u8 | idLen u8 | keyId | keyVersion u32 | noncePrefix (8, random) | chunkSize u32
 *   frame:  flags u8 (bit 0 = final) | length u32 (<= chunkSize) | ciphertext (length) | tag (16)
 *
 * Everything in a header except the tag is authenticated: it is the first part of the GCM additional data,
 * followed by the caller's context (for a frame: header, chunk index u32, flags, in format 2 the frame's
 * plaintext offset u64, then the context). The caller's context binds the ciphertext to its place (log group,
 * object kind, path; see `context()`), so an object or a frame moved to another place, another stream or
 * another position fails to open. A frame's nonce is noncePrefix ‖ index: unique within a stream, and streams
 * differ by their random prefix. The last frame carries the final flag, so a stream cut at a frame boundary,
 * reordered, or extended past its end is refused.
 *
 * Format 1 frames all hold chunkSize bytes but the last, so frame i's plaintext is at i × chunkSize. Format 2
 * frames may be shorter (sealChunks `cuts`: a frame starts at each cut, for example at each column chunk of a
 * Parquet file, so that reading a column decrypts about that column); a reader reading frames out of order
 * gets where they are from a frame table (frameStarts), kept outside the stream. The table is not trusted:
 * the plaintext offset is in each frame's additional data, so a frame read from a wrong table fails
 * authentication instead of landing at a wrong place.
 *
 * openChunks yields a frame's plaintext only after that frame authenticated, but truncation is known only at the
 * end: a consumer must treat what it received as unconfirmed until the iteration finished without throwing.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { DecryptionFailedError, EnvelopeFormatError, KeyNotFoundError, TruncatedStreamError } from './errors.js';

/** A plaintext data key and the name under which its wrapped form is kept. */
export interface DataKey {
  readonly keyId: string;
  readonly version: number;
  /** 32 bytes. Owned by whoever created the DataKey (the KeyService zeroes it on shred). */
  readonly key: Buffer;
}

export interface KeyRef {
  readonly keyId: string;
  readonly version: number;
}

export type KeyResolver = (ref: KeyRef) => DataKey | Promise<DataKey>;

export const FORMAT_VERSION = 1;
/** The chunked stream format sealChunks writes; openChunks and chunkLayout read it and format 1. */
export const STREAM_FORMAT_VERSION = 2;
const OBJECT_MAGIC = Buffer.from('LWE', 'latin1');
const STREAM_MAGIC = Buffer.from('LWS', 'latin1');
const NONCE_BYTES = 12;
const NONCE_PREFIX_BYTES = 8;
const TAG_BYTES = 16;
const FRAME_HEADER_BYTES = 5;
const FINAL = 1;
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
const MAX_CHUNK_SIZE = 16 * 1024 * 1024;

/**
 * Canonical additional data from named parts (for example group id, object kind, path): each part is
 * length-prefixed, so ("a", "bc") and ("ab", "c") differ.
 */
export function context(...parts: string[]): Buffer {
  const out: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    out.push(len, bytes);
  }
  return Buffer.concat(out);
}

/** HKDF label of the key textTag derives from a data key (never the data key itself: it encrypts). */
const TEXT_TAG_INFO = 'logward text tag v1';
/** HKDF-Expand's counter for the first (only) block. */
const ONE = Buffer.from([1]);

/**
 * A tag binding a text kept in clear beside sealed data (a segment's recorded layout in the catalog) to
 * a data key and a place (`aad`, as for seal): HMAC-SHA256 under a key derived from the data key.
 * Whoever can write the catalog but holds no key cannot change such a text unnoticed, and a text moved
 * to another place does not verify there. The derivation is HKDF-Expand (RFC 5869) with the data key as
 * its pseudorandom key: a data key is uniformly random, so the extract step adds nothing (RFC 5869 3.3),
 * and one HMAC costs a quarter of node's full hkdfSync (about 4 against 15 us: a query after a restart
 * checks a tag per segment).
 */
export function textTag(dataKey: DataKey, aad: Uint8Array, text: string): Buffer {
  const macKey = createHmac('sha256', dataKey.key).update(TEXT_TAG_INFO).update(ONE).digest();
  try {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(aad.length);
    return createHmac('sha256', macKey).update(len).update(aad).update(text, 'utf8').digest();
  } finally {
    macKey.fill(0);
  }
}

/** Seals one object under `dataKey`, bound to `aad`. */
export function seal(plaintext: Uint8Array, dataKey: DataKey, aad: Uint8Array): Buffer {
  return Buffer.concat(sealParts(plaintext, dataKey, aad));
}

/** seal() as the pieces that, one after the other, are the sealed object: its header, then the ciphertext (not copied again). */
export function sealParts(plaintext: Uint8Array, dataKey: DataKey, aad: Uint8Array): Buffer[] {
  checkKey(dataKey);
  const prefix = Buffer.concat([OBJECT_MAGIC, Buffer.of(FORMAT_VERSION), encodeKeyRef(dataKey), randomBytes(NONCE_BYTES)]);
  const nonce = prefix.subarray(prefix.length - NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.concat([prefix, aad]));
  const body = cipher.update(plaintext);
  const last = cipher.final(); // empty for GCM, a stream mode
  const parts = [Buffer.concat([prefix, cipher.getAuthTag()]), body];
  if (last.length > 0) parts.push(last);
  return parts;
}

/** The key a sealed object needs, read from its header (unauthenticated until open() succeeds). */
export function readHeader(sealed: Uint8Array): KeyRef & { headerLength: number } {
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (buf.length < 4 || !buf.subarray(0, 3).equals(OBJECT_MAGIC)) {
    throw new EnvelopeFormatError('not a sealed Logward object (bad magic)');
  }
  if (buf[3] !== FORMAT_VERSION) throw new EnvelopeFormatError(`unknown sealed object format version ${buf[3]}`);
  const { ref, end } = decodeKeyRef(buf, 4);
  const headerLength = end + NONCE_BYTES + TAG_BYTES;
  if (buf.length < headerLength) throw new EnvelopeFormatError('sealed object is shorter than its header');
  return { ...ref, headerLength };
}

/** Opens a sealed object; throws DecryptionFailedError unless key, header, ciphertext and aad are all as sealed. */
export function open(sealed: Uint8Array, key: DataKey, aad: Uint8Array): Buffer {
  checkKey(key);
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const header = readHeader(buf);
  if (header.keyId !== key.keyId || header.version !== key.version) {
    throw new DecryptionFailedError(
      `sealed under key ${header.keyId} version ${header.version}, not ${key.keyId} version ${key.version}`,
    );
  }
  const nonceEnd = header.headerLength - TAG_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', key.key, buf.subarray(nonceEnd - NONCE_BYTES, nonceEnd), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.concat([buf.subarray(0, nonceEnd), aad]));
  decipher.setAuthTag(buf.subarray(nonceEnd, header.headerLength));
  const body = decipher.update(buf.subarray(header.headerLength));
  try {
    // GCM gives everything from update(): no copy of the body unless final() adds bytes.
    const rest = decipher.final();
    return rest.length === 0 ? body : Buffer.concat([body, rest]);
  } catch (err) {
    body.fill(0);
    throw new DecryptionFailedError('sealed object failed authentication (tampered, wrong key or wrong context)', {
      cause: err,
    });
  }
}

/**
 * Seals a byte stream as authenticated frames of at most `chunkSize` plaintext bytes. `cuts`: plaintext
 * offsets (ascending) where a frame must start; frames then lie as frameStarts(cuts, chunkSize, total) says.
 * `format` 1 (no cuts, offsets not authenticated) only to test readers of streams sealed before format 2.
 */
export async function* sealChunks(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  dataKey: DataKey,
  aad: Uint8Array,
  chunkSize = DEFAULT_CHUNK_SIZE,
  opts: { cuts?: readonly number[]; format?: 1 | 2 } = {},
): AsyncGenerator<Buffer> {
  const cuts = opts.cuts ?? [];
  const format = opts.format ?? STREAM_FORMAT_VERSION;
  if (format === 1 && cuts.length > 0) throw new RangeError('format 1 streams have no cuts');
  checkKey(dataKey);
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new RangeError(`chunkSize must be an integer in 1..${MAX_CHUNK_SIZE}`);
  }
  for (let i = 1; i < cuts.length; i++) if (!(cuts[i]! > cuts[i - 1]!)) throw new RangeError('cuts must be strictly ascending');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(chunkSize);
  const header = Buffer.concat([
    STREAM_MAGIC,
    Buffer.of(format),
    encodeKeyRef(dataKey),
    randomBytes(NONCE_PREFIX_BYTES),
    size,
  ]);
  const noncePrefix = header.subarray(header.length - 4 - NONCE_PREFIX_BYTES, header.length - 4);
  yield header;
  let index = 0;
  let position = 0; // plaintext offset of pending[0]
  let cut = 0; // first cut after position
  let pending = Buffer.alloc(0);
  const frameEnd = (): number => {
    while (cut < cuts.length && cuts[cut]! <= position) cut++;
    return Math.min(position + chunkSize, cut < cuts.length ? cuts[cut]! : Infinity);
  };
  // A full frame is held back until more input arrives, so the last frame can always carry the final flag.
  for await (const piece of source) {
    pending = pending.length === 0 ? Buffer.from(piece) : Buffer.concat([pending, piece]);
    for (let n = frameEnd() - position; pending.length > n; n = frameEnd() - position) {
      yield sealFrame(dataKey, header, noncePrefix, index++, false, pending.subarray(0, n), aad, format === 1 ? undefined : position);
      pending = pending.subarray(n);
      position += n;
    }
  }
  yield sealFrame(dataKey, header, noncePrefix, index, true, pending, aad, format === 1 ? undefined : position);
}

/**
 * Where each frame of a stream sealed with these `cuts` starts in its plaintext of `total` bytes: at 0, at
 * each cut, and chunkSize after each start until the next cut (the rule sealChunks follows). A list of frame
 * starts is itself a valid `cuts`.
 */
export function frameStarts(cuts: readonly number[], chunkSize: number, total: number): number[] {
  const starts: number[] = [];
  let cut = 0;
  for (let s = 0; ; ) {
    starts.push(s);
    while (cut < cuts.length && cuts[cut]! <= s) cut++;
    const end = Math.min(s + chunkSize, cut < cuts.length ? cuts[cut]! : Infinity);
    if (end >= total) return starts;
    s = end;
  }
}

/** Opens a stream sealed by sealChunks, yielding each frame's plaintext once it authenticated. */
export async function* openChunks(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  key: DataKey | KeyResolver,
  aad: Uint8Array,
): AsyncGenerator<Buffer> {
  let pending = Buffer.alloc(0);
  let header: Buffer | undefined;
  let dataKey: DataKey | undefined;
  let chunkSize = 0;
  let version = 0;
  let index = 0;
  let position = 0;
  let finished = false;
  for await (const piece of source) {
    pending = pending.length === 0 ? Buffer.from(piece) : Buffer.concat([pending, piece]);
    if (header === undefined) {
      const parsed = tryParseStreamHeader(pending);
      if (parsed === undefined) continue;
      header = Buffer.from(pending.subarray(0, parsed.length));
      chunkSize = parsed.chunkSize;
      version = parsed.version;
      dataKey = typeof key === 'function' ? await key(parsed.ref) : key;
      checkKey(dataKey);
      if (dataKey.keyId !== parsed.ref.keyId || dataKey.version !== parsed.ref.version) {
        throw new DecryptionFailedError(
          `stream sealed under key ${parsed.ref.keyId} version ${parsed.ref.version}, not ${dataKey.keyId} version ${dataKey.version}`,
        );
      }
      pending = pending.subarray(parsed.length);
    }
    while (pending.length >= FRAME_HEADER_BYTES) {
      if (finished) throw new TruncatedStreamError('sealed stream continues after its final chunk');
      const flags = pending[0]!;
      const length = pending.readUInt32BE(1);
      if ((flags & ~FINAL) !== 0 || length > chunkSize) {
        throw new DecryptionFailedError(`chunk ${index} of the sealed stream has a corrupt frame header`);
      }
      const frameLength = FRAME_HEADER_BYTES + length + TAG_BYTES;
      if (pending.length < frameLength) break;
      const final = (flags & FINAL) !== 0;
      yield openFrame(dataKey!, header, index, final, pending.subarray(0, frameLength), aad, version === 1 ? undefined : position);
      pending = pending.subarray(frameLength);
      position += length;
      index++;
      finished = final;
    }
  }
  if (header === undefined) {
    if (pending.length > 0) tryParseStreamHeader(pending, true); // throws the format error if it is one
    throw new TruncatedStreamError('sealed stream ended inside its header');
  }
  if (pending.length > 0) {
    throw finished
      ? new TruncatedStreamError('sealed stream continues after its final chunk')
      : new TruncatedStreamError(`sealed stream ended inside chunk ${index}`);
  }
  if (!finished) throw new TruncatedStreamError(`sealed stream ended after chunk ${index - 1} without its final chunk`);
}

/**
 * Where the frames of a stream sealed by sealChunks lie in it, for reading frames out of order (a file read by
 * ranges): from its header, its total size and, for format 2, its frame table (frameStarts). The table is only
 * a claim: openFrameAt authenticates each frame's index, length, final flag and (format 2) plaintext offset,
 * so a stream cut at a frame boundary or padded, or a wrong table, is refused when a frame it misplaces is
 * opened.
 */
export interface ChunkLayout {
  readonly ref: KeyRef;
  readonly header: Buffer;
  readonly version: number;
  readonly chunkSize: number;
  readonly frames: number;
  /** Plaintext bytes of the whole stream. */
  readonly plaintextBytes: number;
  /** Where each frame's plaintext starts (ascending, the first 0). */
  readonly starts: readonly number[];
}

/** Bytes of the start of a sealed stream that always hold its whole header. */
export const STREAM_HEADER_MAX_BYTES = 5 + 255 + 4 + NONCE_PREFIX_BYTES + 4;

/** A sealed stream's header, from the first bytes of the stream (at least the whole header). */
export function streamHeader(head: Buffer): KeyRef & { version: number; chunkSize: number; headerLength: number } {
  const parsed = tryParseStreamHeader(head, true)!;
  return { ...parsed.ref, version: parsed.version, chunkSize: parsed.chunkSize, headerLength: parsed.length };
}

/** The data key a sealed stream was sealed under, from its first bytes (at least its whole header). */
export function streamKeyRef(head: Buffer): KeyRef {
  return tryParseStreamHeader(head, true)!.ref;
}

/**
 * The layout of a sealed stream of `totalBytes` whose first bytes are `head`. Format 2 needs `starts`, its
 * frame table; throws EnvelopeFormatError when the table does not fit the stream's size (then frameTable()
 * reads it from the stream itself).
 */
export function chunkLayout(head: Buffer, totalBytes: number, starts?: readonly number[]): ChunkLayout {
  const parsed = tryParseStreamHeader(head, true)!;
  const overhead = FRAME_HEADER_BYTES + TAG_BYTES;
  const body = totalBytes - parsed.length;
  if (body < overhead) throw new TruncatedStreamError('sealed stream ended inside its first chunk');
  const base = { ref: parsed.ref, header: Buffer.from(head.subarray(0, parsed.length)), version: parsed.version, chunkSize: parsed.chunkSize };
  if (parsed.version === 1) {
    const full = overhead + parsed.chunkSize;
    const frames = Math.ceil(body / full);
    const lastLength = body - (frames - 1) * full - overhead;
    if (lastLength < 0) throw new TruncatedStreamError(`sealed stream ended inside chunk ${frames - 1}`);
    return { ...base, frames, plaintextBytes: (frames - 1) * parsed.chunkSize + lastLength, starts: Array.from({ length: frames }, (_, i) => i * parsed.chunkSize) };
  }
  if (starts === undefined || starts.length === 0) throw new EnvelopeFormatError('a sealed stream of format 2 is read by ranges with its frame table');
  const plaintextBytes = body - starts.length * overhead;
  let at = 0;
  for (let i = 0; i < starts.length; i++) {
    const end = i + 1 < starts.length ? starts[i + 1]! : plaintextBytes;
    if (starts[i] !== at || end - at > parsed.chunkSize || end < at || (end === at && starts.length > 1)) {
      throw new EnvelopeFormatError(`the frame table does not fit the sealed stream (at frame ${i})`);
    }
    at = end;
  }
  return { ...base, frames: starts.length, plaintextBytes, starts: [...starts] };
}

/**
 * The frame table of a whole sealed stream (format 2; `sealed` is every byte of it), read from its frame
 * headers, which are authenticated only when the frames are opened.
 */
export function frameTable(sealed: Buffer): number[] {
  const parsed = tryParseStreamHeader(sealed, true)!;
  const starts: number[] = [];
  let plain = 0;
  for (let at = parsed.length; at < sealed.length; ) {
    if (at + FRAME_HEADER_BYTES > sealed.length) throw new TruncatedStreamError(`sealed stream ended inside chunk ${starts.length}`);
    const length = sealed.readUInt32BE(at + 1);
    if (length > parsed.chunkSize) throw new DecryptionFailedError(`chunk ${starts.length} of the sealed stream has a corrupt frame header`);
    starts.push(plain);
    plain += length;
    at += FRAME_HEADER_BYTES + length + TAG_BYTES;
    if (at > sealed.length) throw new TruncatedStreamError(`sealed stream ended inside chunk ${starts.length - 1}`);
  }
  return starts;
}

/** Position and length of frame `index` in the sealed stream. */
export function frameSpan(layout: ChunkLayout, index: number): { offset: number; length: number } {
  if (!Number.isInteger(index) || index < 0 || index >= layout.frames) throw new RangeError(`no chunk ${index} in a stream of ${layout.frames}`);
  const start = layout.starts[index]!;
  const end = index === layout.frames - 1 ? layout.plaintextBytes : layout.starts[index + 1]!;
  const overhead = FRAME_HEADER_BYTES + TAG_BYTES;
  return { offset: layout.header.length + index * overhead + start, length: overhead + end - start };
}

/** The plaintext of frame `index` (its bytes as frameSpan placed them), authenticated; its place in the plaintext is layout.starts[index]. */
export function openFrameAt(layout: ChunkLayout, key: DataKey, index: number, frame: Buffer, aad: Uint8Array): Buffer {
  if (key.keyId !== layout.ref.keyId || key.version !== layout.ref.version) {
    throw new DecryptionFailedError(`stream sealed under key ${layout.ref.keyId} version ${layout.ref.version}, not ${key.keyId} version ${key.version}`);
  }
  const { length } = frameSpan(layout, index);
  const final = index === layout.frames - 1;
  if (frame.length !== length || frame[0] !== (final ? FINAL : 0) || frame.readUInt32BE(1) !== length - FRAME_HEADER_BYTES - TAG_BYTES) {
    throw new DecryptionFailedError(`chunk ${index} of the sealed stream has a corrupt frame header`);
  }
  return openFrame(key, layout.header, index, final, frame, aad, layout.version === 1 ? undefined : layout.starts[index]);
}

/**
 * The plaintext of the first frame of a stream sealed in format 2 with a cut at `length` and longer than
 * that (so the frame is not its last), authenticated, from the stream's first bytes (its header and that
 * whole frame): for a reader that learns the stream's frame table from what that frame holds.
 */
export function openFirstFrame(head: Buffer, key: DataKey, length: number, aad: Uint8Array): Buffer {
  const parsed = tryParseStreamHeader(head, true)!;
  if (parsed.version !== STREAM_FORMAT_VERSION) throw new EnvelopeFormatError(`a sealed stream of format ${parsed.version} has no frame at a cut`);
  if (key.keyId !== parsed.ref.keyId || key.version !== parsed.ref.version) {
    throw new DecryptionFailedError(`stream sealed under key ${parsed.ref.keyId} version ${parsed.ref.version}, not ${key.keyId} version ${key.version}`);
  }
  const frame = head.subarray(parsed.length, parsed.length + FRAME_HEADER_BYTES + length + TAG_BYTES);
  if (frame.length !== FRAME_HEADER_BYTES + length + TAG_BYTES) throw new TruncatedStreamError('sealed stream ended inside chunk 0');
  if (frame[0] !== 0 || frame.readUInt32BE(1) !== length) throw new DecryptionFailedError('chunk 0 of the sealed stream has a corrupt frame header');
  return openFrame(key, head.subarray(0, parsed.length), 0, false, frame, aad, 0);
}

function sealFrame(
  dataKey: DataKey,
  header: Buffer,
  noncePrefix: Buffer,
  index: number,
  final: boolean,
  plaintext: Buffer,
  aad: Uint8Array,
  position: number | undefined,
): Buffer {
  if (index > 0xffffffff) throw new RangeError('sealed stream exceeds 2^32 chunks');
  checkKey(dataKey);
  const frameHeader = Buffer.alloc(FRAME_HEADER_BYTES);
  frameHeader[0] = final ? FINAL : 0;
  frameHeader.writeUInt32BE(plaintext.length, 1);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, frameNonce(noncePrefix, index), { authTagLength: TAG_BYTES });
  cipher.setAAD(frameAad(header, index, frameHeader[0], aad, position));
  // One copy of the frame: GCM's final() adds no bytes, but is needed for the tag.
  const body = cipher.update(plaintext);
  const rest = cipher.final();
  return Buffer.concat([frameHeader, body, rest, cipher.getAuthTag()]);
}

/** `position`: the frame's plaintext offset, authenticated in format 2 (undefined for format 1). */
function openFrame(dataKey: DataKey, header: Buffer, index: number, final: boolean, frame: Buffer, aad: Uint8Array, position: number | undefined): Buffer {
  checkKey(dataKey);
  const noncePrefix = header.subarray(header.length - 4 - NONCE_PREFIX_BYTES, header.length - 4);
  const tagStart = frame.length - TAG_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', dataKey.key, frameNonce(noncePrefix, index), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(frameAad(header, index, final ? FINAL : 0, aad, position));
  decipher.setAuthTag(frame.subarray(tagStart));
  const body = decipher.update(frame.subarray(FRAME_HEADER_BYTES, tagStart));
  try {
    const rest = decipher.final();
    return rest.length === 0 ? body : Buffer.concat([body, rest]);
  } catch (err) {
    body.fill(0);
    throw new DecryptionFailedError(
      `chunk ${index} of the sealed stream failed authentication (tampered, reordered, wrong key or wrong context)`,
      { cause: err },
    );
  }
}

function frameNonce(prefix: Buffer, index: number): Buffer {
  const nonce = Buffer.alloc(NONCE_BYTES);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  return nonce;
}

/** A frame's additional data: its stream's header, index, flags and (format 2, `position` given) plaintext offset, then the caller's. */
function frameAad(header: Buffer, index: number, flags: number, aad: Uint8Array, position: number | undefined): Buffer {
  const place = Buffer.alloc(position === undefined ? 5 : 13);
  place.writeUInt32BE(index);
  place[4] = flags;
  if (position !== undefined) place.writeBigUInt64BE(BigInt(position), 5);
  return Buffer.concat([header, place, aad]);
}

function tryParseStreamHeader(
  buf: Buffer,
  complete = false,
): { ref: KeyRef; version: number; length: number; chunkSize: number } | undefined {
  if (buf.length < 5) {
    if (complete) throw new EnvelopeFormatError('sealed stream is shorter than its header');
    return undefined;
  }
  if (!buf.subarray(0, 3).equals(STREAM_MAGIC)) throw new EnvelopeFormatError('not a sealed Logward stream (bad magic)');
  const version = buf[3]!;
  if (version !== 1 && version !== STREAM_FORMAT_VERSION) throw new EnvelopeFormatError(`unknown sealed stream format version ${version}`);
  const length = 5 + buf[4]! + 4 + NONCE_PREFIX_BYTES + 4;
  if (buf.length < length) {
    if (complete) throw new EnvelopeFormatError('sealed stream is shorter than its header');
    return undefined;
  }
  const { ref, end } = decodeKeyRef(buf, 4);
  const chunkSize = buf.readUInt32BE(end + NONCE_PREFIX_BYTES);
  if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) throw new EnvelopeFormatError(`sealed stream has chunk size ${chunkSize}`);
  return { ref, version, length, chunkSize };
}

function encodeKeyRef(ref: KeyRef): Buffer {
  const id = Buffer.from(ref.keyId, 'utf8');
  if (id.length < 1 || id.length > 255) throw new RangeError('key id must be 1..255 bytes of UTF-8');
  if (!Number.isInteger(ref.version) || ref.version < 0 || ref.version > 0xffffffff) {
    throw new RangeError('key version must be an unsigned 32-bit integer');
  }
  const out = Buffer.alloc(1 + id.length + 4);
  out[0] = id.length;
  id.copy(out, 1);
  out.writeUInt32BE(ref.version, 1 + id.length);
  return out;
}

function decodeKeyRef(buf: Buffer, at: number): { ref: KeyRef; end: number } {
  const idLen = buf[at];
  if (idLen === undefined || idLen === 0 || buf.length < at + 1 + idLen + 4) {
    throw new EnvelopeFormatError('sealed header is cut short in its key reference');
  }
  const keyId = buf.subarray(at + 1, at + 1 + idLen).toString('utf8');
  const version = buf.readUInt32BE(at + 1 + idLen);
  return { ref: { keyId, version }, end: at + 1 + idLen + 4 };
}

function checkKey(key: DataKey): void {
  if (key.key.length !== 32) throw new RangeError(`AES-256 data key must be 32 bytes, got ${key.key.length}`);
  // The KeyService zeroes keys on shred and close; a stream still holding one must stop, not seal under zeros.
  if (key.key.every((b) => b === 0)) throw new KeyNotFoundError(`data key ${key.keyId} version ${key.version} was destroyed`);
}
