/**
 * AWS Config configuration history and snapshot files as delivered to S3: one JSON document
 * `{"fileVersion":"1.0","configurationItems":[...]}` (snapshots add configSnapshotId). Each
 * configuration item becomes one event at its configurationItemCaptureTime. A document that is a
 * single configuration item (as in Config's notifications) is one event.
 * https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html (configuration item
 * fields) and https://docs.aws.amazon.com/config/latest/developerguide/deliver-snapshot-cli.html
 */
import { isoTime } from './line-regex.js';
import { ParsedEvents } from './parsed-events.js';
import { rawDocument, recordsDocument } from './json-document.js';
import { jsonIsoTime } from './json-lines.js';
import type { DocumentFormat, Fields } from './types.js';

const itemTime = (item: Fields): number => isoTime(item.configurationItemCaptureTime);

export const awsConfig: DocumentFormat = {
  kind: 'document',
  name: 'config',
  reference: 'https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html',
  parseDocument(text, opts) {
    const r = recordsDocument(text, 'configurationItems', 'configurationItemCaptureTime', jsonIsoTime, opts);
    if (r) return r;
    try {
      const o = JSON.parse(text) as unknown;
      if (o !== null && typeof o === 'object' && !Array.isArray(o) && 'configurationItemCaptureTime' in o) {
        const t = itemTime(o as Fields);
        const out = new ParsedEvents(text, (message) => JSON.parse(message) as Fields, 1);
        out.addMessage(Number.isFinite(t) ? t : opts.fallbackMs, JSON.stringify(o));
        return out;
      }
    } catch {
      // not JSON: kept raw below
    }
    return rawDocument(text, opts, 'not an AWS Config history or snapshot file ({"configurationItems":[...]})');
  },
  sniff: (text) => /^\s*\{[^]{0,200}"(fileVersion|configSnapshotId|configurationItems)"/.test(text) || /"configurationItemCaptureTime"/.test(text.slice(0, 4096)),
};
