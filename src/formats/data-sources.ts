/**
 * The data sources of a log group, for `SOURCE dataSource([...])` in Logs Insights. AWS files each
 * event under a data source `<name>.<type>` (CloudWatch Logs "Data source discovery and management":
 * set by the vending service, or named in a pipeline for other logs). Logward has no pipelines, so a
 * group's data sources come from its tags:
 * - `logward:data-source`: the data sources, comma-separated (`my_app.access, my_app.audit`);
 * - else its `logward:format` (docs/formats.md), for the formats AWS names a data source for in its
 *   field index documentation: VPC flow logs, Route 53 Resolver query logs, WAF logs and CloudTrail
 *   (whose management and data events may share a group, so both).
 */
import { FORMAT_TAG } from './index.js';

export const DATA_SOURCE_TAG = 'logward:data-source';

const BY_FORMAT: Readonly<Record<string, readonly string[]>> = {
  'vpc-flow': ['amazon_vpc.flow'],
  'route53-resolver': ['amazon_route53.resolver_query'],
  waf: ['aws_waf.access'],
  cloudtrail: ['aws_cloudtrail.management', 'aws_cloudtrail.data'],
};

/** The group's data sources (`name.type`), from its tags; empty when it has none. */
export function groupDataSources(tags: ReadonlyMap<string, string>): readonly string[] {
  const own = tags.get(DATA_SOURCE_TAG);
  if (own !== undefined) return own.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const format = /^\s*(\S+)/.exec(tags.get(FORMAT_TAG) ?? '')?.[1];
  return format !== undefined && Object.hasOwn(BY_FORMAT, format) ? BY_FORMAT[format]! : [];
}

/**
 * Whether a group with these data sources is selected by the entries of `dataSource([...])`: an entry
 * `name.type` names one data source, an entry `name` every type of that name.
 */
export function matchesDataSource(sources: readonly string[], entries: readonly string[]): boolean {
  return entries.some((e) => sources.some((s) => s === e || s.startsWith(`${e}.`)));
}
