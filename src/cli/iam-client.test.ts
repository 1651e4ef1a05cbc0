import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, toJson } from './iam-client.js';

test('IAM XML to the aws CLI JSON: members become arrays, empty lists stay lists, pagination is dropped, entities decoded', () => {
  const doc = parseXml(
    '<?xml version="1.0"?><ListUsersResponse xmlns="x"><ListUsersResult><Users><member><UserName>a&amp;b</UserName><Path>/</Path></member></Users>' +
      '<IsTruncated>false</IsTruncated></ListUsersResult></ListUsersResponse>',
  );
  const result = doc.children[0]!.children[0]!;
  assert.deepEqual(toJson(result), { Users: [{ UserName: 'a&b', Path: '/' }] });
  const empty = parseXml('<R><ListUserPoliciesResult><PolicyNames></PolicyNames><IsTruncated>false</IsTruncated></ListUserPoliciesResult></R>');
  assert.deepEqual(toJson(empty.children[0]!.children[0]!), { PolicyNames: [] });
  assert.deepEqual(toJson(parseXml('<R><M>&lt;&#x41;&#66;&quot;&apos;&gt;</M></R>').children[0]!), { M: '<AB"\'>' });
});
