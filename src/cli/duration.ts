/**
 * Time arguments of the client commands (`--since`, `--until`): either a duration back from now
 * (`30s`, `10m`, `1h`, `2d`) or an absolute ISO 8601 timestamp (`2024-05-01`, `2024-05-01T12:00:00Z`).
 */
import { UsageError } from './context.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

const DURATION = /^(\d+)([smhd])$/;
/** A date, optionally with a time; a time without an offset is local time (as Date.parse reads it). */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** A duration such as `10m`, in milliseconds. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (m === null) {
    throw new UsageError(`invalid duration '${text}': expected a number and a unit s, m, h or d, such as 10m`);
  }
  const ms = Number(m[1]) * UNIT_MS[m[2] as Unit];
  if (!Number.isSafeInteger(ms)) throw new UsageError(`invalid duration '${text}': too large`);
  return ms;
}

/** A point in time as epoch milliseconds: `now` minus a duration, or an ISO 8601 timestamp. */
export function parseTimeArg(text: string, now: number): number {
  const t = text.trim();
  if (DURATION.test(t)) return now - parseDuration(t);
  if (ISO_TIMESTAMP.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new UsageError(
    `invalid time '${text}': expected a duration back from now (30s, 10m, 1h, 2d) or an ISO 8601 timestamp (2024-05-01T12:00:00Z)`,
  );
}
