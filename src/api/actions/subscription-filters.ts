/**
 * PutSubscriptionFilter, DescribeSubscriptionFilters, DeleteSubscriptionFilter. At most two filters per
 * log group, as AWS; the destination ARN must name something bound with `logward targets put` (or a
 * named destination whose target is), refused otherwise with the error AWS gives for a destination it
 * cannot reach. A new filter delivers the events ingested from its creation on; delivery itself is the
 * engine's (src/subscriptions).
 */
import { ApiError, MESSAGES, TEMPLATES, invalidParameter, notFound } from '../errors.js';
import type { SubscriptionFilter } from '../model/generated/logs-types.js';
import type { SubscriptionFilterRow } from '../../store/subscriptions.js';
import { parseDestinationArn } from '../../subscriptions/arn.js';
import { isDeadLetterGroup } from '../../subscriptions/dead-letter.js';
import { decodeToken, encodeToken } from '../tokens.js';
import { groupByName, parsePattern } from './common.js';
import type { Action, ActionContext } from './context.js';

const MAX_FILTERS_PER_GROUP = 2;

/** Throws the error AWS gives when `arn` cannot be used as a subscription destination. */
export function checkDestination(ctx: ActionContext, arn: string, roleArn: string | undefined): void {
  const ref = parseDestinationArn(arn);
  if (!ref) throw invalidParameter(TEMPLATES.invalidDestinationArn(arn));
  if (ref.kind === 'function' && ref.account !== ctx.accountId) throw new ApiError('AccessDeniedException', MESSAGES.crossAccountLambda);
  if ((ref.kind === 'stream' || ref.kind === 'delivery') && roleArn === undefined) throw invalidParameter(TEMPLATES.vendorNeedsRole(ref.vendor));
  if (ref.kind === 'destination' && !ctx.subscriptions.catalog.destinations.has(ref.name)) throw notFound(MESSAGES.destinationNotFound);
  const local = ref.account === ctx.accountId && ref.region === ctx.region;
  if (local && ctx.subscriptions.resolveTarget(arn) !== undefined) return;
  const kind = ref.kind === 'destination' ? parseDestinationArn(ctx.subscriptions.catalog.destinations.get(ref.name)!.targetArn)?.kind : ref.kind;
  switch (kind) {
    case 'function':
      throw invalidParameter(MESSAGES.lambdaUnbound);
    case 'stream':
      throw invalidParameter(MESSAGES.kinesisUnbound);
    case 'delivery':
      throw invalidParameter(MESSAGES.firehoseUnbound);
    default:
      throw invalidParameter(MESSAGES.opensearchUnbound);
  }
}

export const putSubscriptionFilter: Action<'PutSubscriptionFilter'> = async (ctx, input) => {
  const g = groupByName(ctx, input.logGroupName);
  parsePattern(input.filterPattern);
  if (isDeadLetterGroup(g.name)) throw invalidParameter(MESSAGES.deadLetterGroup);
  const subs = ctx.subscriptions;
  await subs.catalog.lock.run(async () => {
    checkDestination(ctx, input.destinationArn, input.roleArn);
    const existing = subs.catalog.filtersOf(g.id);
    if (!existing.some((f) => f.filterName === input.filterName) && existing.length >= MAX_FILTERS_PER_GROUP) {
      throw new ApiError('LimitExceededException', MESSAGES.resourceLimit);
    }
    const row: SubscriptionFilterRow = {
      groupId: g.id,
      groupName: g.name,
      filterName: input.filterName,
      filterPattern: input.filterPattern,
      destinationArn: input.destinationArn,
      roleArn: input.roleArn ?? null,
      distribution: input.distribution ?? 'ByLogStream',
      createdMs: ctx.clock.now(),
    };
    await subs.catalog.putFilter(row, subs.visibleThrough(g.id));
  });
  await subs.sync();
  return {};
};

type Position = string;
const isPosition = (v: unknown): v is Position => typeof v === 'string';

export const describeSubscriptionFilters: Action<'DescribeSubscriptionFilters'> = async (ctx, input) => {
  const g = groupByName(ctx, input.logGroupName);
  const after = input.nextToken === undefined ? undefined : decodeToken('DescribeSubscriptionFilters', input.nextToken, isPosition);
  const limit = input.limit ?? 50;
  const all = ctx.subscriptions.catalog
    .filtersOf(g.id)
    .filter((f) => (input.filterNamePrefix === undefined || f.filterName.startsWith(input.filterNamePrefix)) && (after === undefined || f.filterName > after))
    .sort((a, b) => (a.filterName < b.filterName ? -1 : a.filterName > b.filterName ? 1 : 0));
  const page = all.slice(0, limit);
  const subscriptionFilters: SubscriptionFilter[] = page.map((f) => ({
    filterName: f.filterName,
    logGroupName: f.groupName,
    filterPattern: f.filterPattern,
    destinationArn: f.destinationArn,
    ...(f.roleArn !== null ? { roleArn: f.roleArn } : {}),
    distribution: f.distribution,
    applyOnTransformedLogs: false,
    creationTime: f.createdMs,
  }));
  const last = page.at(-1);
  return { subscriptionFilters, ...(all.length > limit && last ? { nextToken: encodeToken('DescribeSubscriptionFilters', last.filterName) } : {}) };
};

export const deleteSubscriptionFilter: Action<'DeleteSubscriptionFilter'> = async (ctx, input) => {
  const g = groupByName(ctx, input.logGroupName);
  const subs = ctx.subscriptions;
  await subs.catalog.lock.run(async () => {
    if (!subs.catalog.filtersOf(g.id).some((f) => f.filterName === input.filterName)) throw notFound(MESSAGES.subscriptionFilterNotFound);
    await subs.catalog.deleteFilter(g.id, input.filterName);
  });
  await subs.sync();
  return {};
};
