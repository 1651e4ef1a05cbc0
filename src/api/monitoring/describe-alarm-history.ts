/** DescribeAlarmHistory: history items of one or every alarm, by type and time, newest first by default. */
import type { AlarmHistoryItem } from '../model/generated/monitoring-types.js';
import { decodeToken, encodeToken } from '../tokens.js';
import { ApiError } from '../errors.js';
import type { MonitoringAction } from './context.js';

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

export const describeAlarmHistory: MonitoringAction<'DescribeAlarmHistory'> = async (ctx, input) => {
  let afterId: number | undefined;
  if (input.NextToken !== undefined) {
    try {
      afterId = decodeToken('DescribeAlarmHistory', input.NextToken, isId);
    } catch (e) {
      throw new ApiError('InvalidNextToken', 'The specified nextToken is invalid.', { cause: e });
    }
  }
  const types = input.AlarmTypes ?? ['MetricAlarm', 'CompositeAlarm'];
  if (!types.includes('MetricAlarm')) return { AlarmHistoryItems: [] };
  const limit = input.MaxRecords ?? 100;
  const rows = await ctx.alarms.historyRows({
    ...(input.AlarmName !== undefined ? { alarmName: input.AlarmName } : {}),
    ...(input.HistoryItemType !== undefined ? { itemType: input.HistoryItemType } : {}),
    fromMs: input.StartDate === undefined ? 0 : input.StartDate * 1000,
    toMs: input.EndDate === undefined ? Number.MAX_SAFE_INTEGER : input.EndDate * 1000,
    newestFirst: input.ScanBy !== 'TimestampAscending',
    ...(afterId !== undefined ? { afterId } : {}),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const AlarmHistoryItems: AlarmHistoryItem[] = page.map((r) => ({
    AlarmName: r.alarmName,
    AlarmType: r.alarmType as AlarmHistoryItem['AlarmType'],
    Timestamp: r.tsMs / 1000,
    HistoryItemType: r.itemType as AlarmHistoryItem['HistoryItemType'],
    HistorySummary: r.summary,
    HistoryData: r.data,
  }));
  return { AlarmHistoryItems, ...(rows.length > limit ? { NextToken: encodeToken('DescribeAlarmHistory', page.at(-1)!.id) } : {}) };
};
