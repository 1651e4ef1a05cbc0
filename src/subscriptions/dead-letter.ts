/**
 * Where a subscription's undelivered events go once their retry budget is spent: a log group of their
 * own per source group, `/logward/subscriptions/dead-letter/<source group name>`.
 *
 * One group per source, not one for all, because the dead letters are copies of the source group's
 * events: they must go wherever the source goes. Deleting or crypto-shredding the source deletes its
 * dead-letter group (and so destroys that group's data keys) in the same call; the dead-letter group is
 * created with the source's KMS key and retention, and an IAM policy on the source's name pattern
 * (`log-group:/app/*`) can be mirrored on `log-group:/logward/subscriptions/dead-letter/app/*`. A
 * single shared group would keep every group's undelivered events readable under one key and one
 * policy after their own group was erased.
 */
import { createHash } from 'node:crypto';

export const DEAD_LETTER_PREFIX = '/logward/subscriptions/dead-letter';
/** AWS's longest log group name. */
const MAX_GROUP_NAME = 512;
/** Hex digits of SHA-256 that stand for the cut-off end of a source name too long to append whole. */
const HASH_CHARS = 16;

/** The dead-letter group of the source group `source` (deterministic: the same name every time). */
export function deadLetterGroupName(source: string): string {
  const whole = `${DEAD_LETTER_PREFIX}/${source}`;
  if (whole.length <= MAX_GROUP_NAME) return whole;
  const hash = createHash('sha256').update(source).digest('hex').slice(0, HASH_CHARS);
  return `${whole.slice(0, MAX_GROUP_NAME - HASH_CHARS - 1)}#${hash}`;
}

/** A dead-letter group: subscription filters on it are refused (they could loop back into it). */
export function isDeadLetterGroup(name: string): boolean {
  return name === DEAD_LETTER_PREFIX || name.startsWith(`${DEAD_LETTER_PREFIX}/`);
}
