/**
 * Fail closed: when the audit record of a call cannot be made durable, the call is not acknowledged
 * (ServiceUnavailableException) and every later call is refused before it runs. Real store, trail and
 * HTTP front; the fault is a write-ahead log that stops accepting records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreUnavailableError } from '../../store/store.js';
import { openTestApp } from '../testing-app.js';

test('an audit record that cannot be written: the call answers ServiceUnavailableException, later calls are refused unrun', async () => {
  const t = await openTestApp();
  try {
    assert.equal((await t.logs('CreateLogGroup', { logGroupName: 'before' })).status, 200);
    // From now on the write-ahead log refuses records, as a full or failing disk would.
    t.store.append = () => Promise.reject(new StoreUnavailableError('the write-ahead log could not be written'));

    const lost = await t.logs('CreateLogGroup', { logGroupName: 'during' });
    assert.deepEqual([lost.status, lost.body.__type], [503, 'ServiceUnavailableException']);
    assert.notEqual(t.audit.failed, undefined);

    const refused = await t.logs('CreateLogGroup', { logGroupName: 'after' });
    assert.deepEqual([refused.status, refused.body.__type], [503, 'ServiceUnavailableException']);
    assert.equal(t.store.catalog.groups.has('after'), false, 'a refused call did not run');
    assert.equal(t.store.catalog.groups.has('before'), true);
    const iam = await t.iam({ Action: 'CreateUser', UserName: 'late' });
    assert.equal(iam.status, 503);
    assert.match(iam.body, /<Code>ServiceUnavailable<\/Code>/);
    assert.equal(t.users.listUsers().length, 0);
    // The admin API (targets) is refused too, before its signature is even looked at.
    const admin = await t.app.inject({ method: 'PUT', url: '/_logward/admin/targets/function/late', payload: '{"url":"https://example.com/"}' });
    assert.deepEqual([admin.statusCode, (JSON.parse(admin.body) as { __type: string }).__type], [503, 'ServiceUnavailableException']);
    assert.equal(t.subscriptions.catalog.target('function', 'late'), undefined);
    // The health check stays up: it is not an API call and reads nothing.
    assert.equal((await t.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  } finally {
    await t.close();
  }
});
