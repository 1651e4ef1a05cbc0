/** TestMetricFilter: which of up to 50 messages a pattern matches, and what it extracts from each. */
import type { MetricFilterMatchRecord } from '../model/generated/logs-types.js';
import { extract } from '../../query/filter-pattern/extract.js';
import type { Action } from './context.js';
import { parsePattern } from './common.js';

export const testMetricFilter: Action<'TestMetricFilter'> = async (_ctx, input) => {
  const pattern = parsePattern(input.filterPattern);
  const matches: MetricFilterMatchRecord[] = [];
  input.logEventMessages.forEach((message, k) => {
    const values = extract(pattern, message);
    if (values === null) return;
    // The API's map is of strings; numbers extracted from JSON are given as their text.
    const extractedValues = Object.fromEntries(Object.entries(values).map(([name, v]) => [name, String(v)]));
    matches.push({ eventNumber: k + 1, eventMessage: message, extractedValues });
  });
  return { matches };
};
