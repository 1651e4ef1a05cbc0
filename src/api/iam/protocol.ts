/**
 * The AWS Query protocol as IAM speaks it: requests are `POST /` with a form-encoded body
 * (`Action=CreateUser&Version=2010-05-08&UserName=bob`), answers are XML in the IAM namespace, errors are
 * `<ErrorResponse><Error><Type>Sender</Type><Code>...</Code><Message>...</Message></Error>...`
 * with the HTTP status of the error's shape in IAM's service model (botocore iam/2010-05-08).
 */
import { ApiError } from '../errors.js';

export const IAM_VERSION = '2010-05-08';
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** IAM error codes and their HTTP status (IAM's model; the Query protocol's common errors). */
export const IAM_ERRORS = {
  NoSuchEntity: 404,
  EntityAlreadyExists: 409,
  DeleteConflict: 409,
  LimitExceeded: 409,
  MalformedPolicyDocument: 400,
  ValidationError: 400,
  InvalidAction: 400,
  AccessDenied: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  IncompleteSignature: 400,
  MissingAuthenticationToken: 403,
  MalformedQueryString: 404,
  ServiceUnavailable: 503,
  ServiceFailure: 500,
  RequestEntityTooLarge: 413,
  Throttling: 400,
} as const;

export type IamErrorName = keyof typeof IAM_ERRORS;

export class IamApiError extends Error {
  override readonly name = 'IamApiError';
  readonly status: number;
  constructor(
    readonly code: IamErrorName,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = IAM_ERRORS[code];
  }
}

/** The signature verifier and the shared front speak awsJson error names; IAM names the same failures so. */
export function fromApiError(e: ApiError): IamApiError {
  const map: Partial<Record<string, IamErrorName>> = {
    UnrecognizedClientException: 'InvalidClientTokenId',
    InvalidSignatureException: 'SignatureDoesNotMatch',
    IncompleteSignatureException: 'IncompleteSignature',
    MissingAuthenticationTokenException: 'MissingAuthenticationToken',
    AccessDeniedException: 'AccessDenied',
    ServiceUnavailableException: 'ServiceUnavailable',
    RequestEntityTooLargeException: 'RequestEntityTooLarge',
    ThrottlingException: 'Throttling',
    InternalFailure: 'ServiceFailure',
  };
  // Scope errors name the expected service; the message says so, the code is IAM's.
  return new IamApiError(map[e.code] ?? 'ValidationError', e.message, { cause: e });
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** An XML value: text, a list (`<member>` elements) or nested elements, in the order given. */
export type XmlValue = string | number | boolean | XmlValue[] | { [name: string]: XmlValue | undefined };

export function toXml(value: XmlValue): string {
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v!)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

export function responseXml(action: string, result: XmlValue | undefined, requestId: string): string {
  const body = result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
  return `<${action}Response xmlns="${IAM_NAMESPACE}">${body}<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`;
}

export function errorXml(e: IamApiError, requestId: string): string {
  const type = e.status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${IAM_NAMESPACE}"><Error><Type>${type}</Type><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
}

/** Parameters of a form body; a name given twice keeps its first value, as AWS does. */
export function parseForm(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) if (!out.has(k)) out.set(k, v);
  return out;
}

/** IAM's validation wording ("1 validation error detected: Value 'x' at 'userName' failed to satisfy constraint: ..."). */
export function validationError(problems: string[]): IamApiError {
  const n = problems.length;
  return new IamApiError('ValidationError', `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
}
