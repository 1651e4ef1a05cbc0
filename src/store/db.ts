/**
 * The one DuckDB instance of a data dir, its connections, and the only SQL helpers in Logward.
 * Nothing outside src/store writes SQL against it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue, blobValue } from '@duckdb/node-api';

export type SqlParam = string | number | bigint | boolean | null | Uint8Array;

/** Quotes an identifier or a path literal we generated; never call it on user input. */
export const quoteLiteral = (s: string): string => `'${s.replaceAll("'", "''")}'`;

function toDuck(v: SqlParam): DuckDBValue {
  if (v instanceof Uint8Array) return blobValue(v);
  // Integers go as BIGINT so comparisons with BIGINT columns keep their filter pushdown.
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return v as DuckDBValue;
}

export type Row = Record<string, unknown>;

/** About what a row takes in memory (UTF-16 strings, 16 bytes a value besides). */
function rowBytes(row: Row): number {
  let bytes = 0;
  for (const k in row) {
    const v = row[k];
    bytes += 16 + (typeof v === 'string' ? v.length * 2 : 8);
  }
  return bytes;
}

/** A result larger than the caller's memory budget (Db.allBounded). */
export class ResultTooLargeError extends Error {
  override readonly name = 'ResultTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the query's results would take more than ${Math.round(maxBytes / 1048576)} MiB of memory: select fewer fields or rows`);
  }
}

/** Converts DuckDB's JS values: bigints to numbers (ids, times and counts fit in 2^53). */
function plain(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const k in row) {
    const v = row[k];
    out[k] = typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

export class Db {
  /**
   * The main connection serves one statement or one transaction at a time, whoever calls: a DuckDB
   * connection must not run two statements at once, and a statement from outside must never land in
   * someone else's open transaction. Statements inside a transaction run in its async context.
   */
  private readonly mainLock = new Mutex();
  private readonly inTransaction = new AsyncLocalStorage<true>();

  private constructor(
    readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  private onMain<T>(fn: () => Promise<T>): Promise<T> {
    return this.inTransaction.getStore() ? fn() : this.mainLock.run(fn);
  }

  static async open(path: string, opts: { memoryLimit: string; threads: number; tempDir: string }): Promise<Db> {
    const instance = await DuckDBInstance.create(path, {
      memory_limit: opts.memoryLimit,
      threads: String(opts.threads),
      temp_directory: opts.tempDir,
      // Logward does its own encryption (issue #5); DuckDB's is never forced onto mbedtls.
      preserve_insertion_order: 'true',
      // Segment files in the plaintext cache are filled in place as queries decrypt more of them
      // (partial-plaintext.ts), more than once a second: DuckDB's cache of file blocks, checked by
      // modification time, would serve blocks read before they were decrypted.
      enable_external_file_cache: 'false',
    });
    const conn = await instance.connect();
    return new Db(instance, conn);
  }

  async connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** Runs a statement on `conn`, or on the main connection when none is given. */
  async run(sql: string, params: SqlParam[] = [], conn?: DuckDBConnection): Promise<void> {
    if (conn) await conn.run(sql, params.map(toDuck));
    else await this.onMain(() => this.conn.run(sql, params.map(toDuck)));
  }

  async all(sql: string, params: SqlParam[] = [], conn?: DuckDBConnection): Promise<Row[]> {
    const reader = conn ? await conn.runAndReadAll(sql, params.map(toDuck)) : await this.onMain(() => this.conn.runAndReadAll(sql, params.map(toDuck)));
    return reader.getRowObjectsJS().map((r) => plain(r as Record<string, unknown>));
  }

  /**
   * Like all() on `conn`, reading the result a chunk at a time and stopping after the row that takes
   * the rows past about `maxBytes` of memory (`cut` says so): a query over untrusted input must not be
   * able to exhaust the heap (1 MB events times 10,000 rows).
   */
  async readBounded(sql: string, params: SqlParam[], conn: DuckDBConnection, maxBytes: number): Promise<{ rows: Row[]; cut: boolean }> {
    const result = await conn.stream(sql, params.map(toDuck));
    const rows: Row[] = [];
    let bytes = 0;
    for await (const chunk of result.yieldRowObjectJs()) {
      for (const r of chunk) {
        const row = plain(r as Record<string, unknown>);
        rows.push(row);
        bytes += rowBytes(row);
        if (bytes > maxBytes) return { rows, cut: true };
      }
    }
    return { rows, cut: false };
  }

  /** readBounded that fails with ResultTooLargeError instead of returning part of the rows. */
  async allBounded(sql: string, params: SqlParam[], conn: DuckDBConnection, maxBytes: number): Promise<Row[]> {
    const { rows, cut } = await this.readBounded(sql, params, conn, maxBytes);
    if (cut) throw new ResultTooLargeError(maxBytes);
    return rows;
  }

  /** Runs fn as one transaction on the main connection, which nobody else uses meanwhile. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) throw new Error('nested transactions are not supported');
    return this.mainLock.run(() =>
      this.inTransaction.run(true, async () => {
        await this.conn.run('BEGIN TRANSACTION');
        try {
          const out = await fn();
          await this.conn.run('COMMIT');
          return out;
        } catch (e) {
          await this.conn.run('ROLLBACK');
          throw e;
        }
      }),
    );
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** A FIFO async mutex: catalog writes and seals take it so they never interleave. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
