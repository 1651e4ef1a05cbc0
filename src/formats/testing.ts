/** For tests and the benchmark: the golden fixtures of the formats (test/golden/formats, test/fixtures). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { FORMAT_NAMES, type FormatName } from './index.js';

export const GOLDEN_DIR = fileURLToPath(new URL('../../../test/golden/formats/', import.meta.url));
const CLOUDTRAIL_DIR = fileURLToPath(new URL('../../../test/fixtures/cloudtrail-stratus-red-team/', import.meta.url));
/** Timestamp for events without their own: 2023-11-14T22:13:20Z. */
export const FALLBACK_MS = 1_700_000_000_000;

export interface FormatFixture {
  format: FormatName;
  /** File name (the golden output is <golden dir>/<format>/<name>.golden). */
  name: string;
  path: string;
  text: string;
}

const isInput = (f: string): boolean => !f.endsWith('.golden') && !f.startsWith('.') && f !== 'LICENSE' && !f.endsWith('.md');

export function formatFixtures(): FormatFixture[] {
  const out: FormatFixture[] = [];
  for (const format of FORMAT_NAMES) {
    const dirs = [join(GOLDEN_DIR, format), ...(format === 'cloudtrail' ? [CLOUDTRAIL_DIR] : [])];
    for (const dir of dirs) {
      let files: string[];
      try {
        // The CloudTrail data set's folder also holds other tests' files: only its delivery files are inputs.
        files = readdirSync(dir).filter((f) => isInput(f) && (dir !== CLOUDTRAIL_DIR || /\.json(\.gz)?$/.test(f))).sort();
      } catch {
        continue;
      }
      for (const name of files) {
        const path = join(dir, name);
        const raw = readFileSync(path);
        out.push({ format, name, path, text: (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8') });
      }
    }
  }
  return out;
}
