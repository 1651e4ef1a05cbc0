/**
 * The one table of API errors, keyed by the AWS error name (the `__type` on the wire).
 *
 * Every error the API returns is an ApiError built from this table, so the code, the HTTP status and
 * the message wording live in one place. Messages that AWS words in a fixed way are kept here verbatim
 * (recorded from real AWS in test/fixtures/aws-recorded-responses); tests assert them exactly.
 */

export const API_ERRORS = {
  // Client errors of the CloudWatch Logs model.
  InvalidParameterException: { status: 400 },
  ResourceNotFoundException: { status: 400 },
  ResourceAlreadyExistsException: { status: 400 },
  LimitExceededException: { status: 400 },
  OperationAbortedException: { status: 400 },
  ServiceUnavailableException: { status: 503 },
  UnrecognizedClientException: { status: 400 },
  InvalidSequenceTokenException: { status: 400 },
  DataAlreadyAcceptedException: { status: 400 },
  MalformedQueryException: { status: 400 },
  TooManyTagsException: { status: 400 },
  /** Also CloudWatch's answer to a constraint violation; its awsQuery code is ValidationError. */
  ValidationException: { status: 400, query: 'ValidationError' },
  ConflictException: { status: 400 },
  AccessDeniedException: { status: 400 },
  InvalidOperationException: { status: 400 },
  // CloudWatch (metrics and alarms), served as awsJson1_0 with awsQueryCompatible: `__type` is the model's
  // error shape name and `query` its awsQuery code, sent in `x-amzn-query-error: <code>;Sender`, which
  // boto3 reports as the error code and the JS SDK as `Code`.
  InvalidParameterValueException: { status: 400, query: 'InvalidParameterValue' },
  MissingRequiredParameterException: { status: 400, query: 'MissingParameter' },
  InvalidParameterCombinationException: { status: 400, query: 'InvalidParameterCombination' },
  ResourceNotFound: { status: 404, query: 'ResourceNotFound' },
  LimitExceededFault: { status: 400, query: 'LimitExceeded' },
  InvalidNextToken: { status: 400, query: 'InvalidNextToken' },
  InvalidFormatFault: { status: 400, query: 'InvalidFormat' },
  /** CloudWatch's refusal by IAM (CloudWatch Logs says AccessDeniedException, 400). */
  AccessDenied: { status: 403, query: 'AccessDenied' },
  // Protocol and authentication errors shared by every AWS JSON service.
  SerializationException: { status: 400 },
  UnknownOperationException: { status: 400 },
  MissingAuthenticationTokenException: { status: 400 },
  IncompleteSignatureException: { status: 400 },
  InvalidSignatureException: { status: 400 },
  ThrottlingException: { status: 400 },
  RequestEntityTooLargeException: { status: 413 },
  InternalFailure: { status: 500 },
} as const satisfies Record<string, { status: number; query?: string }>;

export type ApiErrorName = keyof typeof API_ERRORS;

/** Fixed AWS wordings, so call sites never retype them. */
export const MESSAGES = {
  groupNotFound: 'The specified log group does not exist.',
  streamNotFound: 'The specified log stream does not exist.',
  groupExists: 'The specified log group already exists',
  streamExists: 'The specified log stream already exists',
  invalidNextToken: 'The specified nextToken is invalid.',
  notChronological: 'Log events in a single PutLogEvents request must be in chronological order.',
  batchSpan: 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
  nameTooLong: 'Invalid LogGroup or LogStream, both must have length less than or equal to 512.',
  prefixAndPattern: 'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
  nameAndIdentifier: 'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
  unknownKey: 'The security token included in the request is invalid.',
  badSignature:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  missingToken: 'Missing Authentication Token',
  throttled: 'Rate exceeded',
  internal: 'An internal error occurred. Retry the request.',
  // Logs Insights. "already ended" is recorded from AWS (StopQuery of a Complete query: "Query is already
  // ended with Complete"); the others are Logward's wording where no AWS answer was found to copy.
  queryNotFound: 'The specified query does not exist.',
  queryDefinitionNotFound: 'The specified query definition does not exist.',
  logRecordPointerInvalid: 'The specified logRecordPointer is not valid.',
  queryGroupSelection:
    'A StartQuery operation must include exactly one of logGroupName, logGroupNames or logGroupIdentifiers, or select log groups with a SOURCE command in the query string, not both.',
  queryTimeRange: 'endTime must be greater than or equal to startTime.',
  queryLanguage: 'Logward supports the Logs Insights query language only (queryLanguage CWLI).',
  // Subscriptions. Recorded from AWS (test_logs_subscription_filters): limit, filter not found, the
  // cross-account Lambda refusal, kinesis without roleArn; the "could not deliver test message" and
  // lambda wordings as AWS gives them (also copied by moto); the rest are Logward's wording.
  resourceLimit: 'Resource limit exceeded.',
  subscriptionFilterNotFound: 'The specified subscription filter does not exist.',
  destinationNotFound: 'The specified destination does not exist.',
  crossAccountLambda: 'Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create cross account lambda triggers.',
  lambdaUnbound: 'Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.',
  kinesisUnbound: 'Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in ACTIVE state.',
  firehoseUnbound: 'Could not deliver test message to specified Firehose stream. Check if the given Firehose stream is in ACTIVE state.',
  opensearchUnbound: 'Could not deliver test message to specified OpenSearch domain. Bind it with `logward targets put opensearch`.',
  deadLetterGroup: 'Subscription filters cannot be put on the dead-letter log group of subscriptions.',
  accessPolicyJson: 'The access policy is not a valid JSON policy document.',
  // Lookup tables: Logward's wording (no AWS answer recorded), in the style of the others.
  lookupTableNotFound: 'The specified lookup table does not exist.',
  lookupTableExists: 'The specified lookup table already exists.',
} as const;

/** AWS's wordings with values in them. */
export const TEMPLATES = {
  /** Recorded (test_logs_queries: test_start_query_log_group_not_found). */
  queryGroupNotFound: (name: string, accountId: string) => `Log group '${name}' does not exist for account ID '${accountId}'`,
  /** As AWS words it (a StopQuery of an ended query, recorded on the wire by steamstreet/awskt). */
  queryAlreadyEnded: (status: string) => `Query is already ended with ${status}`,
  /** As AWS words it ("Account maximum query concurrency limit of [30] reached."). */
  queryConcurrency: (limit: number) => `Account maximum query concurrency limit of [${limit}] reached.`,
  /** Recorded (test_put_subscription_filter_errors: "destinationArn for vendor kinesis cannot be used without roleArn"). */
  vendorNeedsRole: (vendor: string) => `destinationArn for vendor ${vendor} cannot be used without roleArn`,
  invalidDestinationArn: (arn: string) => `Invalid destinationArn: '${arn}' is not the ARN of a Lambda function, Kinesis stream, Firehose stream, OpenSearch domain or CloudWatch Logs destination.`,
} as const;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  /** Members of the error's own shape, sent beside `message` (MalformedQueryException.queryCompileError). */
  readonly fields: Readonly<Record<string, unknown>>;
  constructor(
    readonly code: ApiErrorName,
    message: string,
    options?: { cause?: unknown; status?: number; fields?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status ?? API_ERRORS[code].status;
    this.fields = options?.fields ?? {};
  }

  /** The awsQuery error code of an awsQueryCompatible service (CloudWatch): the table's, else the name. */
  get queryCode(): string {
    const e = API_ERRORS[this.code];
    return 'query' in e ? e.query : this.code;
  }

  /** The awsJson1_1 (and awsJson1_0) error body. */
  toBody(): { __type: string; message: string } & Record<string, unknown> {
    return { __type: this.code, message: this.message, ...this.fields };
  }
}

export const invalidParameter = (message: string): ApiError => new ApiError('InvalidParameterException', message);
export const notFound = (message: string): ApiError => new ApiError('ResourceNotFoundException', message);
