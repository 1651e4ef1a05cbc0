/**
 * Events with known anomalies for the `anomaly` command's tests (pattern/anomaly.test.ts and the
 * StartQuery contract test): an hour from T0, one-minute histogram windows when the query's range is
 * exactly that hour.
 */
const MIN = 60_000;

/**
 * An hour of events, one-minute windows (the first 30 are the baseline), with one anomaly of each kind
 * in the second half and one pattern that only varies as it always did.
 */
export function anomalyFixture(T0: number): Array<{ ts: number; message: string }> {
  const out: Array<{ ts: number; message: string }> = [];
  for (let m = 0; m < 60; m++) {
    const at = (k: number): number => T0 + m * MIN + k * 1000;
    const late = m >= 30;
    // Steady count, latency ten times higher in the second half: NumericToken.
    for (let k = 0; k < 4; k++) out.push({ ts: at(k), message: `request served in ${(late ? 250 : 25) + k} ms` });
    // HTTP statuses: 200 only, then 503 in half of the second half's events: HttpErrorCode.
    for (let k = 0; k < 2; k++) out.push({ ts: at(10 + k), message: `upstream answered ${late && k === 0 ? 503 : 200} for orders` });
    // A categorical token: warm or cold, then corrupted too: TokenVariation.
    out.push({ ts: at(20), message: `cache state is ${late && m % 10 === 5 ? 'corrupted' : m % 2 === 0 ? 'warm' : 'cold'}` });
    // Only in the second half: NewPattern.
    if (late && m % 3 === 0) out.push({ ts: at(30), message: 'ERROR disk full on volume data' });
    // Three a minute, sixty in minute 40: PatternFrequency.
    for (let k = 0; k < (m === 40 ? 60 : 3); k++) out.push({ ts: at(40) + k, message: 'heartbeat ok' });
    // Many users, as always: no anomaly.
    out.push({ ts: at(50), message: `login succeeded for user${m}` });
  }
  return out.sort((a, b) => b.ts - a.ts); // newest first, as the engine hands rows over
}

