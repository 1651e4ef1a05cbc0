/**
 * Named destinations: PutDestination, PutDestinationPolicy, DescribeDestinations, DeleteDestination.
 * A destination is an indirection (`arn:aws:logs:<region>:<account>:destination:<name>` → its target
 * ARN), so that a subscription can be pointed elsewhere by changing the destination only. The access
 * policy is stored and shown as given (it is valid JSON); Logward has one account, so it grants nothing.
 * Tags given to PutDestination are accepted and not kept.
 */
import { MESSAGES, invalidParameter, notFound } from '../errors.js';
import type { Destination } from '../model/generated/logs-types.js';
import type { DestinationRow } from '../../store/subscriptions.js';
import { parseDestinationArn } from '../../subscriptions/arn.js';
import { decodeToken, encodeToken } from '../tokens.js';
import { checkDestination } from './subscription-filters.js';
import type { Action, ActionContext } from './context.js';

const show = (ctx: ActionContext, d: DestinationRow): Destination => ({
  destinationName: d.name,
  targetArn: d.targetArn,
  roleArn: d.roleArn,
  ...(d.accessPolicy !== null ? { accessPolicy: d.accessPolicy } : {}),
  arn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:destination:${d.name}`,
  creationTime: d.createdMs,
});

export const putDestination: Action<'PutDestination'> = async (ctx, input) => {
  const subs = ctx.subscriptions;
  const ref = parseDestinationArn(input.targetArn);
  // A destination points at a real target, never at another destination.
  if (ref === null || ref.kind === 'destination') throw invalidParameter(`Invalid targetArn: '${input.targetArn}'`);
  const d = await subs.catalog.lock.run(async () => {
    checkDestination(ctx, input.targetArn, input.roleArn);
    const existing = subs.catalog.destinations.get(input.destinationName);
    const row: DestinationRow = {
      name: input.destinationName,
      targetArn: input.targetArn,
      roleArn: input.roleArn,
      accessPolicy: existing?.accessPolicy ?? null,
      createdMs: existing?.createdMs ?? ctx.clock.now(),
    };
    await subs.catalog.putDestination(row);
    return row;
  });
  await subs.sync(); // filters through this destination now go to its new target
  return { destination: show(ctx, d) };
};

export const putDestinationPolicy: Action<'PutDestinationPolicy'> = async (ctx, input) => {
  try {
    const doc: unknown = JSON.parse(input.accessPolicy);
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
  } catch (e) {
    throw invalidParameter(MESSAGES.accessPolicyJson);
  }
  const subs = ctx.subscriptions;
  await subs.catalog.lock.run(async () => {
    const d = subs.catalog.destinations.get(input.destinationName);
    if (!d) throw notFound(MESSAGES.destinationNotFound);
    await subs.catalog.putDestination({ ...d, accessPolicy: input.accessPolicy });
  });
  return {};
};

const isName = (v: unknown): v is string => typeof v === 'string';

export const describeDestinations: Action<'DescribeDestinations'> = async (ctx, input) => {
  const after = input.nextToken === undefined ? undefined : decodeToken('DescribeDestinations', input.nextToken, isName);
  const limit = input.limit ?? 50;
  const prefix = input.DestinationNamePrefix;
  const all = [...ctx.subscriptions.catalog.destinations.values()]
    .filter((d) => (prefix === undefined || d.name.startsWith(prefix)) && (after === undefined || d.name > after))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = all.slice(0, limit);
  const last = page.at(-1);
  return { destinations: page.map((d) => show(ctx, d)), ...(all.length > limit && last ? { nextToken: encodeToken('DescribeDestinations', last.name) } : {}) };
};

export const deleteDestination: Action<'DeleteDestination'> = async (ctx, input) => {
  const subs = ctx.subscriptions;
  await subs.catalog.lock.run(async () => {
    if (!subs.catalog.destinations.has(input.destinationName)) throw notFound(MESSAGES.destinationNotFound);
    await subs.catalog.deleteDestination(input.destinationName);
  });
  await subs.sync();
  return {};
};
