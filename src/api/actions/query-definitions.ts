/**
 * Saved queries: PutQueryDefinition (create, or replace whole by queryDefinitionId), DescribeQueryDefinitions
 * (by name prefix, in name order) and DeleteQueryDefinition, kept in the catalog so they survive restarts.
 * The query string is stored as given, not parsed: AWS does not check it either (PutQueryDefinition has no
 * MalformedQueryException).
 */
import { randomUUID } from 'node:crypto';
import { ApiError, MESSAGES } from '../errors.js';
import type { QueryDefinition as QueryDefinitionOut } from '../model/generated/logs-types.js';
import type { QueryDefinition } from '../../store/catalog.js';
import { decodeToken, encodeToken } from '../tokens.js';
import type { Action } from './context.js';

export const putQueryDefinition: Action<'PutQueryDefinition'> = async (ctx, input) => {
  const catalog = ctx.store.catalog;
  return ctx.store.withWriteLock(async () => {
    const existing = input.queryDefinitionId === undefined ? undefined : catalog.queryDefinitions.get(input.queryDefinitionId);
    if (input.queryDefinitionId !== undefined && existing === undefined) {
      throw new ApiError('ResourceNotFoundException', MESSAGES.queryDefinitionNotFound);
    }
    const token = input.clientToken ?? null;
    if (existing === undefined && token !== null) {
      // A retried create (same idempotency token) answers what the first one created.
      for (const d of catalog.queryDefinitions.values()) if (d.clientToken === token) return { queryDefinitionId: d.id };
    }
    // An update replaces every member: what the request leaves out is gone (AWS documents this).
    const d: QueryDefinition = {
      id: existing?.id ?? randomUUID(),
      name: input.name,
      queryString: input.queryString,
      logGroupNames: input.logGroupNames ?? [],
      queryLanguage: input.queryLanguage ?? 'CWLI',
      parameters: (input.parameters ?? []).map((p) => ({
        name: p.name,
        ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}),
        ...(p.description !== undefined ? { description: p.description } : {}),
      })),
      lastModifiedMs: ctx.clock.now(),
      clientToken: existing?.clientToken ?? token,
    };
    await catalog.putQueryDefinition(d);
    return { queryDefinitionId: d.id };
  });
};

type Position = [string, string];
const isPosition = (v: unknown): v is Position => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';
const order = (a: QueryDefinition, b: QueryDefinition): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export const describeQueryDefinitions: Action<'DescribeQueryDefinitions'> = async (ctx, input) => {
  const limit = input.maxResults ?? 1000;
  const after = input.nextToken === undefined ? undefined : decodeToken('DescribeQueryDefinitions', input.nextToken, isPosition);
  const prefix = input.queryDefinitionNamePrefix;
  const all = [...ctx.store.catalog.queryDefinitions.values()]
    .filter(
      (d) =>
        (prefix === undefined || d.name.startsWith(prefix)) &&
        (input.queryLanguage === undefined || d.queryLanguage === input.queryLanguage) &&
        (after === undefined || d.name > after[0] || (d.name === after[0] && d.id > after[1])),
    )
    .sort(order);
  const page = all.slice(0, limit);
  const queryDefinitions: QueryDefinitionOut[] = page.map((d) => ({
    queryLanguage: d.queryLanguage as QueryDefinitionOut['queryLanguage'],
    queryDefinitionId: d.id,
    name: d.name,
    queryString: d.queryString,
    lastModified: d.lastModifiedMs,
    ...(d.logGroupNames.length > 0 ? { logGroupNames: d.logGroupNames } : {}),
    ...(d.parameters.length > 0 ? { parameters: d.parameters } : {}),
  }));
  const last = page.at(-1);
  return { queryDefinitions, ...(all.length > limit && last ? { nextToken: encodeToken('DescribeQueryDefinitions', [last.name, last.id]) } : {}) };
};

export const deleteQueryDefinition: Action<'DeleteQueryDefinition'> = async (ctx, input) => {
  await ctx.store.withWriteLock(async () => {
    if (!ctx.store.catalog.queryDefinitions.has(input.queryDefinitionId)) {
      throw new ApiError('ResourceNotFoundException', MESSAGES.queryDefinitionNotFound);
    }
    await ctx.store.catalog.deleteQueryDefinition(input.queryDefinitionId);
  });
  return { success: true };
};
