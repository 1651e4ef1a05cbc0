/** Builders for CloudWatch's errors, worded as AWS words them (`The value X for parameter Y is ...`). */
import { ApiError } from '../errors.js';

export const invalidValue = (message: string): ApiError => new ApiError('InvalidParameterValueException', message);
export const invalidCombination = (message: string): ApiError => new ApiError('InvalidParameterCombinationException', message);
export const missingParameter = (message: string): ApiError => new ApiError('MissingRequiredParameterException', message);
export const validationError = (message: string): ApiError => new ApiError('ValidationException', message);
export const mutuallyExclusive = (a: string, b: string): ApiError =>
  invalidCombination(`The parameters ${a} and ${b} are mutually exclusive and you have specified both.`);
