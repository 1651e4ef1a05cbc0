/**
 * Where the parts of a segment's Parquet plaintext are: its footer, and each column's chunks (with
 * dictionary and bloom filter) in every row group. A query decrypts only the frames of the columns it
 * names (partial-plaintext.ts), and to know which it needs this layout. It is taken from the plaintext
 * when a segment is sealed or merged and kept in the catalog (segments.layout), so that the first
 * query after a restart parses no footer; segments sealed before it was recorded have none, and their
 * footer is parsed instead (readLayout).
 *
 * The layout describes sizes and offsets, never content, but a reader trusts its column ranges to
 * decrypt what DuckDB will read: parts not decrypted read as zeros, which can decode as values. So the
 * catalog keeps it with a tag (signLayout: kms/envelope.ts textTag under the segment's data key, bound
 * to the segment's place), checked before its columns are used (partial-plaintext.ts); a layout without
 * a tag is not used, and one whose tag fails is refused. Its footer range and frame cuts are checked
 * besides (against the decrypted footer, and by the frames they place), so a layout of another file is
 * not trusted either.
 */
import { promises as fsp } from 'node:fs';
import { parquetMetadataAsync, type AsyncBuffer, type FileMetaData } from 'hyparquet';

/** A byte range of the plaintext, [start, end). */
export type Range = readonly [number, number];

/** Where a column of the Parquet file is, by name: its chunks in every row group (with dictionary and bloom filter). */
export type ColumnRanges = ReadonlyMap<string, readonly Range[]>;

export interface SegmentLayout {
  /** The footer with its length and magic: the last bytes of the file. */
  readonly footer: Range;
  readonly columns: ColumnRanges;
  /**
   * The sealed segment's frame cuts (envelope.ts sealChunks `cuts`, format 2): where its frames start, from
   * which the frame table is derived (frameStarts). Absent for segments sealed in fixed frames (format 1).
   */
  readonly cuts?: readonly number[];
  /** The catalog's text it was decoded from and that text's tag (signLayout), for the reader to check. */
  readonly signed?: { readonly body: string; readonly tag: Buffer };
}

/**
 * Where a segment's frames are cut when it is sealed (`frameBytes`: its largest frame): at the column chunks
 * (and bloom filters) and at the footer, so that a column's chunks are read in frames of their own, not
 * with their neighbours'. Runs of small parts (under MIN_FRAME, or an eighth of a frame) share a frame: each
 * frame costs a cipher set-up and a write, about what decrypting some KiB does, and a query reading one of
 * them then decrypts a few KiB more, never a large neighbour (a part of MIN_FRAME or more starts a frame).
 */
export function frameCuts(layout: SegmentLayout, frameBytes: number): number[] {
  const size = layout.footer[1];
  const at = new Set<number>([layout.footer[0]]);
  for (const ranges of layout.columns.values()) for (const [start] of ranges) at.add(start);
  const parts = [...at].filter((x) => x > 0 && x < size).sort((a, b) => a - b);
  const min = Math.min(MIN_FRAME, Math.floor(frameBytes / 8));
  const cuts: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const c = parts[i]!;
    const next = i + 1 < parts.length ? parts[i + 1]! : size;
    if (c - (cuts.at(-1) ?? 0) >= min || next - c >= min) cuts.push(c);
  }
  return cuts;
}

/** Parts of a segment smaller than this share frames (frameCuts). */
const MIN_FRAME = 8 * 1024;

const LAYOUT_VERSION = 1;

/**
 * The layout of a Parquet file read through `buffer` (`footerBytes`: the footer's length with its 8
 * bytes of length and magic). A bloom filter without a recorded length runs to the next part of the
 * file: it is given the rest of its frame and the next (`frameBytes`).
 */
export async function readLayout(buffer: AsyncBuffer, footerBytes: number, frameBytes: number): Promise<SegmentLayout> {
  const meta = await parquetMetadataAsync(buffer, { initialFetchSize: footerBytes });
  return { footer: [buffer.byteLength - footerBytes, buffer.byteLength], columns: columnRanges(meta, frameBytes) };
}

function columnRanges(meta: FileMetaData, frameBytes: number): ColumnRanges {
  const byName = new Map<string, Range[]>();
  for (const rg of meta.row_groups) {
    for (const c of rg.columns) {
      const m = c.meta_data;
      if (m === undefined) continue;
      const name = m.path_in_schema.join('.');
      let list = byName.get(name);
      if (!list) byName.set(name, (list = []));
      const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
      list.push([Math.min(start, Number(m.data_page_offset)), Math.max(start, Number(m.data_page_offset)) + Number(m.total_compressed_size)]);
      if (m.bloom_filter_offset !== undefined) {
        const at = Number(m.bloom_filter_offset);
        list.push([at, at + (m.bloom_filter_length ?? frameBytes + 1)]);
      }
    }
  }
  return byName;
}

/** The layout of the plaintext Parquet file at `path` (a segment about to be sealed). */
export async function layoutOfFile(path: string, frameBytes: number): Promise<SegmentLayout> {
  const h = await fsp.open(path, 'r');
  try {
    const { size } = await h.stat();
    const read = async (start: number, end: number): Promise<Buffer> => {
      const out = Buffer.alloc(end - start);
      let got = 0;
      while (got < out.length) {
        const { bytesRead } = await h.read(out, got, out.length - got, start + got);
        if (bytesRead === 0) throw new Error(`unexpected end of ${path} at ${start + got}`);
        got += bytesRead;
      }
      return out;
    };
    if (size < 12) throw new Error(`${path} is too short for a Parquet file`);
    const tail = await read(size - 8, size);
    if (tail.toString('latin1', 4) !== 'PAR1') throw new Error(`${path} is not a Parquet file (footer magic)`);
    const footerBytes = tail.readUInt32LE(0) + 8;
    if (footerBytes > size - 4) throw new Error(`${path} has a footer longer than itself`);
    const buffer: AsyncBuffer = {
      byteLength: size,
      slice: async (start: number, end = size): Promise<ArrayBuffer> => {
        const b = await read(start, end);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
      },
    };
    return await readLayout(buffer, footerBytes, frameBytes);
  } finally {
    await h.close();
  }
}

/**
 * The text of a layout that signLayout tags: `{"v":1,"f":[start,end],"c":{"<column>":[start,end,start,end,...]},"k":[cut,...]}`
 * (`k` only for a segment sealed with cuts).
 */
export function encodeLayout(layout: SegmentLayout): string {
  const c: Record<string, number[]> = {};
  for (const [name, ranges] of layout.columns) c[name] = ranges.flatMap(([s, e]) => [s, e]);
  return JSON.stringify(layout.cuts === undefined ? { v: LAYOUT_VERSION, f: layout.footer, c } : { v: LAYOUT_VERSION, f: layout.footer, c, k: layout.cuts });
}

/** Bytes of a tag (HMAC-SHA256). */
const TAG_BYTES = 32;

/** The catalog's text of a layout: its tag in base64url, a dot, and encodeLayout's text. */
export function signLayout(body: string, tag: Buffer): string {
  return `${tag.toString('base64url')}.${body}`;
}

/** Whether the catalog's text of a layout has a tag (layouts recorded before tags have none). */
export function isSignedLayout(text: string | null): boolean {
  return text !== null && !text.startsWith('{');
}

/**
 * A layout from the catalog's text, with its tag (`signed`) to check; null for none, one without a tag,
 * another version, or anything malformed (the footer is parsed instead).
 */
export function decodeLayout(text: string | null | undefined): SegmentLayout | null {
  if (text === null || text === undefined) return null;
  const dot = text.indexOf('.');
  if (dot <= 0 || !isSignedLayout(text)) return null;
  const tag = Buffer.from(text.slice(0, dot), 'base64url');
  if (tag.length !== TAG_BYTES) return null;
  const body = text.slice(dot + 1);
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as { v?: unknown; f?: unknown; c?: unknown; k?: unknown };
  if (o.v !== LAYOUT_VERSION || !isRanges(o.f) || (o.f as number[]).length !== 2 || typeof o.c !== 'object' || o.c === null) return null;
  const columns = new Map<string, Range[]>();
  for (const [name, flat] of Object.entries(o.c as Record<string, unknown>)) {
    if (!isRanges(flat)) return null;
    const list: Range[] = [];
    for (let i = 0; i < flat.length; i += 2) list.push([flat[i]!, flat[i + 1]!]);
    columns.set(name, list);
  }
  const f = o.f as number[];
  const signed = { body, tag };
  if (o.k === undefined) return { footer: [f[0]!, f[1]!], columns, signed };
  if (!isAscending(o.k)) return null;
  return { footer: [f[0]!, f[1]!], columns, cuts: o.k, signed };
}

/** A strictly ascending list of non-negative safe integers. */
function isAscending(v: unknown): v is number[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (!Number.isSafeInteger(x) || (x as number) < 0 || (i > 0 && (x as number) <= (v[i - 1] as number))) return false;
  }
  return true;
}

/** An even-length list of ranges as [start, end, ...], each 0 <= start <= end, in safe integers. */
function isRanges(v: unknown): v is number[] {
  if (!Array.isArray(v) || v.length % 2 !== 0) return false;
  for (let i = 0; i < v.length; i += 2) {
    const s: unknown = v[i];
    const e: unknown = v[i + 1];
    if (!Number.isSafeInteger(s) || !Number.isSafeInteger(e) || (s as number) < 0 || (e as number) < (s as number)) return false;
  }
  return true;
}
