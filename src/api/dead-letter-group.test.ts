/**
 * The dead-letter group of a source group is Logward's: a client can neither make it (the `/logward/`
 * prefix is reserved) nor put a subscription filter on it once Logward made it (its events could loop
 * back into it). Real HTTP front and store, in process: the group is made as the engine makes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadLetterGroupName } from '../subscriptions/dead-letter.js';
import { openTestApp } from './testing-app.js';

test('a dead-letter group cannot be made by a client, and takes no subscription filter', async () => {
  const t = await openTestApp();
  try {
    const name = deadLetterGroupName('app');
    const made = await t.logs('CreateLogGroup', { logGroupName: name });
    assert.deepEqual([made.status, made.body.__type, made.body.message], [400, 'InvalidParameterException', "Log group names can't start with the string /logward/"]);
    assert.equal(t.store.catalog.groups.has(name), false);

    await t.store.withWriteLock(() => t.store.catalog.createGroup(name, Date.now(), {}, null, 'STANDARD')); // as the engine does
    const put = await t.logs('PutSubscriptionFilter', {
      logGroupName: name,
      filterName: 'f',
      filterPattern: '',
      destinationArn: 'arn:aws:lambda:us-east-1:000000000000:function:hook',
    });
    assert.deepEqual([put.status, put.body.__type, put.body.message], [400, 'InvalidParameterException', 'Subscription filters cannot be put on the dead-letter log group of subscriptions.']);
    assert.equal(t.subscriptions.catalog.filters.size, 0);
  } finally {
    await t.close();
  }
});
