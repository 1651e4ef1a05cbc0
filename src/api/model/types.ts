/** The contract of the model-driven request validator (see validate.ts). */
export type { ApiError } from '../errors.js';

/**
 * The part of a botocore shape that request validation needs. generated/logs-shapes.ts holds one per shape
 * reachable from an operation input; scripts/gen-model.ts writes it from the service model.
 *
 * `min`/`max` bound the length (strings: code points; blobs: bytes; lists and maps: entries) or, for
 * numbers, the value. Shape references (`member`, `key`, `value`, structure members) are shape names.
 */
export type ShapeSpec =
  | StringShapeSpec
  | NumberShapeSpec
  | PlainShapeSpec
  | ListShapeSpec
  | MapShapeSpec
  | StructureShapeSpec;

export interface StringShapeSpec {
  readonly type: 'string';
  readonly min?: number;
  readonly max?: number;
  /** A Java regular expression, as in the model; the whole value must match it. */
  readonly pattern?: string;
  /** The allowed values, in model order. */
  readonly enum?: readonly string[];
}

export interface NumberShapeSpec {
  readonly type: 'integer' | 'long' | 'float' | 'double';
  readonly min?: number;
  readonly max?: number;
}

export interface PlainShapeSpec {
  /** `timestamp` is epoch seconds on the awsJson wire; `blob` is base64 text. */
  readonly type: 'boolean' | 'timestamp' | 'blob';
  readonly min?: number;
  readonly max?: number;
}

export interface ListShapeSpec {
  readonly type: 'list';
  readonly member: string;
  readonly min?: number;
  readonly max?: number;
}

export interface MapShapeSpec {
  readonly type: 'map';
  readonly key: string;
  readonly value: string;
  readonly min?: number;
  readonly max?: number;
}

export interface StructureShapeSpec {
  readonly type: 'structure';
  /** Member name → target shape name, in the model's declaration order (errors are reported in it). */
  readonly members: Readonly<Record<string, string>>;
  readonly required?: readonly string[];
  /** Exactly one member must be set. */
  readonly union?: true;
}

/** The error code a model-constraint violation is reported with. */
export type ValidationErrorCode = 'InvalidParameterException' | 'ValidationException';

export interface OperationSpec {
  /** The input structure; absent when the operation takes none (its body must then be `{}`). */
  readonly input?: string;
  /**
   * Older CloudWatch Logs operations answer constraint violations with InvalidParameterException; the
   * newer ones (deliveries, scheduled queries, S3 table integrations) declare only ValidationException and
   * answer with it (recorded: PutDeliveryDestination). The generator derives this from the operation's
   * declared errors.
   */
  readonly validationError: ValidationErrorCode;
}
