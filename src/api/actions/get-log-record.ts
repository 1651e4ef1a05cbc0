/** GetLogRecord: every field of the event a query result's `@ptr` points at. `unmask` changes nothing: Logward masks no data. */
import { ApiError, MESSAGES } from '../errors.js';
import type { Action } from './context.js';

export const getLogRecord: Action<'GetLogRecord'> = async (ctx, input) => {
  const logRecord = await ctx.insights.getLogRecord(input.logRecordPointer);
  if (logRecord === null) throw new ApiError('InvalidParameterException', MESSAGES.logRecordPointerInvalid);
  return { logRecord };
};
