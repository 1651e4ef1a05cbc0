/** StopQuery: cancels a Scheduled or Running query; one that has ended is AWS's InvalidParameterException. */
import { ApiError, MESSAGES, TEMPLATES } from '../errors.js';
import type { Action } from './context.js';

export const stopQuery: Action<'StopQuery'> = async (ctx, input) => {
  const r = ctx.insights.queries.stop(input.queryId);
  if (r.kind === 'missing') throw new ApiError('ResourceNotFoundException', MESSAGES.queryNotFound);
  if (r.kind === 'ended') throw new ApiError('InvalidParameterException', TEMPLATES.queryAlreadyEnded(r.status));
  return { success: true };
};
