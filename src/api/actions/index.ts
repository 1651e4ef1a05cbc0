/**
 * The registry of implemented actions. Adding an operation name to ImplementedOperation without its
 * action (or the reverse) fails to compile.
 */
import type { LogsOperations } from '../model/generated/logs-types.js';
import type { Action } from './context.js';
import { createLogGroup } from './create-log-group.js';
import { deleteLogGroup } from './delete-log-group.js';
import { describeLogGroups } from './describe-log-groups.js';
import { listLogGroupsForQuery } from './list-log-groups-for-query.js';
import { createLogStream } from './create-log-stream.js';
import { deleteLogStream } from './delete-log-stream.js';
import { describeLogStreams } from './describe-log-streams.js';
import { putLogEvents } from './put-log-events.js';
import { getLogEvents } from './get-log-events.js';
import { filterLogEvents } from './filter-log-events.js';
import { putRetentionPolicy, deleteRetentionPolicy } from './retention.js';
import { associateKmsKey, disassociateKmsKey } from './kms-keys.js';
import { testMetricFilter } from './test-metric-filter.js';
import { putMetricFilter, describeMetricFilters, deleteMetricFilter } from './metric-filters.js';
import { tagResource, untagResource, listTagsForResource, tagLogGroup, untagLogGroup, listTagsLogGroup } from './tags.js';
import { startQuery } from './start-query.js';
import { getQueryResults } from './get-query-results.js';
import { stopQuery } from './stop-query.js';
import { describeQueries } from './describe-queries.js';
import { getLogRecord } from './get-log-record.js';
import { putQueryDefinition, describeQueryDefinitions, deleteQueryDefinition } from './query-definitions.js';
import { putSubscriptionFilter, describeSubscriptionFilters, deleteSubscriptionFilter } from './subscription-filters.js';
import { putDestination, putDestinationPolicy, describeDestinations, deleteDestination } from './destinations.js';
import { createLookupTable, describeLookupTables, getLookupTable, updateLookupTable, deleteLookupTable } from './lookup-tables.js';
import { putIndexPolicy, describeIndexPolicies, deleteIndexPolicy, describeFieldIndexes } from './index-policies.js';

export type ImplementedOperation =
  | 'CreateLogGroup'
  | 'DeleteLogGroup'
  | 'DescribeLogGroups'
  | 'CreateLogStream'
  | 'DeleteLogStream'
  | 'DescribeLogStreams'
  | 'PutLogEvents'
  | 'GetLogEvents'
  | 'FilterLogEvents'
  | 'PutRetentionPolicy'
  | 'AssociateKmsKey'
  | 'DisassociateKmsKey'
  | 'DeleteRetentionPolicy'
  | 'TagResource'
  | 'UntagResource'
  | 'ListTagsForResource'
  | 'TagLogGroup'
  | 'UntagLogGroup'
  | 'ListTagsLogGroup'
  | 'TestMetricFilter'
  | 'PutMetricFilter'
  | 'DescribeMetricFilters'
  | 'DeleteMetricFilter'
  | 'StartQuery'
  | 'GetQueryResults'
  | 'StopQuery'
  | 'DescribeQueries'
  | 'ListLogGroupsForQuery'
  | 'GetLogRecord'
  | 'PutQueryDefinition'
  | 'DescribeQueryDefinitions'
  | 'DeleteQueryDefinition'
  | 'PutSubscriptionFilter'
  | 'DescribeSubscriptionFilters'
  | 'DeleteSubscriptionFilter'
  | 'PutDestination'
  | 'PutDestinationPolicy'
  | 'DescribeDestinations'
  | 'DeleteDestination'
  | 'CreateLookupTable'
  | 'DescribeLookupTables'
  | 'GetLookupTable'
  | 'UpdateLookupTable'
  | 'DeleteLookupTable'
  | 'PutIndexPolicy'
  | 'DescribeIndexPolicies'
  | 'DeleteIndexPolicy'
  | 'DescribeFieldIndexes';

export const actions: { [K in ImplementedOperation]: Action<K> } = {
  CreateLogGroup: createLogGroup,
  DeleteLogGroup: deleteLogGroup,
  DescribeLogGroups: describeLogGroups,
  CreateLogStream: createLogStream,
  DeleteLogStream: deleteLogStream,
  DescribeLogStreams: describeLogStreams,
  PutLogEvents: putLogEvents,
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
  PutRetentionPolicy: putRetentionPolicy,
  AssociateKmsKey: associateKmsKey,
  DisassociateKmsKey: disassociateKmsKey,
  DeleteRetentionPolicy: deleteRetentionPolicy,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  TagLogGroup: tagLogGroup,
  UntagLogGroup: untagLogGroup,
  ListTagsLogGroup: listTagsLogGroup,
  TestMetricFilter: testMetricFilter,
  PutMetricFilter: putMetricFilter,
  DescribeMetricFilters: describeMetricFilters,
  DeleteMetricFilter: deleteMetricFilter,
  StartQuery: startQuery,
  GetQueryResults: getQueryResults,
  StopQuery: stopQuery,
  DescribeQueries: describeQueries,
  ListLogGroupsForQuery: listLogGroupsForQuery,
  GetLogRecord: getLogRecord,
  PutQueryDefinition: putQueryDefinition,
  DescribeQueryDefinitions: describeQueryDefinitions,
  DeleteQueryDefinition: deleteQueryDefinition,
  PutSubscriptionFilter: putSubscriptionFilter,
  DescribeSubscriptionFilters: describeSubscriptionFilters,
  DeleteSubscriptionFilter: deleteSubscriptionFilter,
  PutDestination: putDestination,
  PutDestinationPolicy: putDestinationPolicy,
  DescribeDestinations: describeDestinations,
  DeleteDestination: deleteDestination,
  CreateLookupTable: createLookupTable,
  DescribeLookupTables: describeLookupTables,
  GetLookupTable: getLookupTable,
  UpdateLookupTable: updateLookupTable,
  DeleteLookupTable: deleteLookupTable,
  PutIndexPolicy: putIndexPolicy,
  DescribeIndexPolicies: describeIndexPolicies,
  DeleteIndexPolicy: deleteIndexPolicy,
  DescribeFieldIndexes: describeFieldIndexes,
};

export function isImplemented(op: string): op is ImplementedOperation {
  return Object.hasOwn(actions, op);
}

export type { LogsOperations };
