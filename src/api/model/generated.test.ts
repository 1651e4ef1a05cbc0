import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generate, MODEL_PATH, SHAPES_PATH, TARGETS, TYPES_PATH } from '../../../scripts/gen-model.js';
import { OPERATIONS, SHAPES } from './generated/logs-shapes.js';
import { OPERATIONS as MONITORING_OPERATIONS } from './generated/monitoring-shapes.js';

const ROOT = new URL('../../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');

test('the committed generated files are what the generator makes from the model', () => {
  const { types, shapes } = generate(JSON.parse(read(MODEL_PATH)));
  assert.ok(read(TYPES_PATH) === types, `${TYPES_PATH} is stale: run npm run gen:model`);
  assert.ok(read(SHAPES_PATH) === shapes, `${SHAPES_PATH} is stale: run npm run gen:model`);
});

test('the CloudWatch (metrics) files are what the generator makes from its model', () => {
  const t = TARGETS.monitoring;
  const { types, shapes } = generate(JSON.parse(read(t.model)), t);
  assert.ok(read(t.types) === types, `${t.types} is stale: run npm run gen:model`);
  assert.ok(read(t.shapes) === shapes, `${t.shapes} is stale: run npm run gen:model`);
  assert.match(types, /export type MonitoringOperation =/);
  assert.equal(MONITORING_OPERATIONS.PutMetricAlarm.validationError, 'ValidationException');
  assert.equal(MONITORING_OPERATIONS.PutMetricData.input, 'PutMetricDataInput');
});

test('every operation of the model has its input shape and error code', () => {
  const model = JSON.parse(read(MODEL_PATH)) as { operations: Record<string, { input?: { shape: string } }> };
  assert.deepEqual(Object.keys(OPERATIONS).sort(), Object.keys(model.operations).sort());
  for (const [name, op] of Object.entries(OPERATIONS)) {
    assert.equal(op.input, model.operations[name]?.input?.shape, name);
    if (op.input !== undefined) assert.equal(SHAPES[op.input]?.type, 'structure', name);
  }
  assert.equal(OPERATIONS.PutLogEvents.validationError, 'InvalidParameterException');
  assert.equal(OPERATIONS.PutDeliveryDestination.validationError, 'ValidationException');
  // Declares both: the older exception wins.
  assert.equal(OPERATIONS.DeleteLogGroup.validationError, 'InvalidParameterException');
});

const TINY = {
  metadata: { apiVersion: '2020-01-01', serviceId: 'Tiny' },
  operations: {
    Put: {
      input: { shape: 'PutRequest' },
      output: { shape: 'PutResponse' },
      errors: [{ shape: 'ValidationException' }],
    },
    Ping: {},
  },
  shapes: {
    PutRequest: {
      type: 'structure',
      required: ['name'],
      members: {
        name: { shape: 'Name' },
        mode: { shape: 'Mode' },
        tags: { shape: 'Tags' },
        items: { shape: 'Items' },
        old: { shape: 'Count', deprecated: true, deprecatedMessage: 'use */ items' },
      },
    },
    PutResponse: { type: 'structure', members: {} },
    Name: { type: 'string', min: 1, max: 8, pattern: "[a-z']+", documentation: '<p>ignored</p>' },
    Mode: { type: 'string', enum: ['B', 'A'] },
    Tags: { type: 'map', key: { shape: 'Name' }, value: { shape: 'Count' }, max: 2 },
    Items: { type: 'list', member: { shape: 'Item' } },
    Item: { type: 'structure', members: { at: { shape: 'When' }, big: { shape: 'Big' } }, union: true },
    Count: { type: 'integer', min: 0 },
    When: { type: 'timestamp' },
    Big: { type: 'long' },
    Unused: { type: 'boolean' },
  },
};

test('types: interfaces with required members, enum aliases, operation map', () => {
  const { types } = generate(TINY);
  assert.match(types, /export type LogsOperation =\n {2}\| 'Ping'\n {2}\| 'Put';/);
  assert.match(types, /Ping: \{ input: Record<string, never>; output: Record<string, never> \};/);
  assert.match(types, /Put: \{ input: PutRequest; output: PutResponse \};/);
  const putRequest = [
    'export interface PutRequest {',
    '  name: string;',
    '  mode?: Mode;',
    '  tags?: Record<string, number>;',
    '  items?: Item[];',
    '  /** @deprecated use *\\/ items */',
    '  old?: number;',
    '}',
  ];
  assert.ok(types.includes(putRequest.join('\n')), types);
  assert.match(types, /export type Mode = 'B' \| 'A';/);
  const item = ['/** A union: exactly one member is set. */', 'export interface Item {', '  at?: number;'];
  assert.ok(types.includes(item.join('\n')), types);
  assert.match(types, /export interface PutResponse \{\}/);
});

test('shapes: only input shapes, sorted, with model member and enum order', () => {
  const { shapes } = generate(TINY);
  const names = [...shapes.matchAll(/^ {2}(\w+): \{/gm)].map((m) => m[1]);
  assert.deepEqual(names.slice(0, 8), ['Big', 'Count', 'Item', 'Items', 'Mode', 'Name', 'PutRequest', 'Tags']);
  assert.ok(!shapes.includes('Unused') && !shapes.includes('PutResponse') && !shapes.includes('ignored'));
  assert.match(shapes, /Name: \{ max: 8, min: 1, pattern: '\[a-z\\'\]\+', type: 'string' \},/);
  assert.match(shapes, /Mode: \{ enum: \['B', 'A'\], type: 'string' \},/);
  assert.match(shapes, /members: \{ name: 'Name', mode: 'Mode', tags: 'Tags', items: 'Items', old: 'Count' \}/);
  assert.match(shapes, /Item: \{ members: \{ at: 'When', big: 'Big' \}, type: 'structure', union: true \},/);
  assert.match(shapes, /Ping: \{ validationError: 'InvalidParameterException' \},/);
  assert.match(shapes, /Put: \{ input: 'PutRequest', validationError: 'ValidationException' \},/);
});

test('the generator refuses what it could not represent', () => {
  const withShapes = (shapes: Record<string, unknown>): unknown => ({ ...TINY, shapes: { ...TINY.shapes, ...shapes } });
  const recursive = withShapes({ Item: { type: 'structure', members: { next: { shape: 'Items' } } } });
  assert.throws(() => generate(recursive), /recursive input shape: PutRequest > Items > Item > Items/);
  assert.throws(() => generate(withShapes({ Odd: { type: 'document' } })), /Odd: unsupported type document/);
  assert.throws(() => generate(withShapes({ Record: { type: 'string' } })), /collides/);
  const dangling = withShapes({ Items: { type: 'list', member: { shape: 'Nowhere' } } });
  assert.throws(() => generate(dangling), /refers to unknown shape Nowhere/);
  assert.throws(() => generate(withShapes({ Items: { type: 'list' } })), /Items: a list without its element shapes/);
  assert.throws(() => generate({ shapes: {} }), /not a botocore service model/);
});
