/**
 * Where an object's key puts it: its partition (the part of the key before the date, inside which AWS's
 * key names grow with delivery time, so that a listing can resume after a marker) and the log stream
 * of its events. The rules (docs/sources.md):
 *
 *   partition = the key up to its first path component that is a year (`YYYY/`), else its directory;
 *   stream    = `<account>_<Service>_<region>` for AWS's layout `AWSLogs/[o-…/]<account>/<Service>/<region>/…`
 *               (CloudTrail's own stream names in CloudWatch Logs are `<account>_CloudTrail_<region>`),
 *               else the partition without its trailing `/` (`root` when empty); `:` and `*` become `_`.
 */

const YEAR = /^(?:19|20|21)\d\d$/;
const AWS_LAYOUT = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/([^/]+)\/([^/]+)\//;
const MAX_STREAM = 512;

export function partitionOf(key: string): string {
  const parts = key.split('/');
  parts.pop(); // the file name
  const year = parts.findIndex((p) => YEAR.test(p));
  const dir = year >= 0 ? parts.slice(0, year) : parts;
  return dir.length === 0 ? '' : `${dir.join('/')}/`;
}

export function streamOf(key: string): string {
  const m = AWS_LAYOUT.exec(key);
  const name = m ? `${m[1]}_${m[2]}_${m[3]}` : partitionOf(key).replace(/\/$/, '') || 'root';
  return name.replace(/[:*]/g, '_').slice(0, MAX_STREAM);
}
