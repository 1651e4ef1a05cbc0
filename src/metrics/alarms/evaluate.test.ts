import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alarm, TreatMissingData } from './alarm.js';
import { evaluateAlarm, type Slot } from './evaluate.js';

function alarm(over: Partial<Alarm> = {}): Alarm {
  return {
    name: 'a', actionsEnabled: true, okActions: [], alarmActions: [], insufficientDataActions: [],
    metricName: 'Errors', namespace: 'App', statistic: 'Sum', period: 60, evaluationPeriods: 3, datapointsToAlarm: 3,
    threshold: 5, comparisonOperator: 'GreaterThanThreshold', treatMissingData: 'missing',
    configUpdatedMs: 0, state: 'INSUFFICIENT_DATA', stateReason: '', stateUpdatedMs: 0, stateTransitionedMs: 0, ...over,
  };
}
const T = 1_800_000_000 - (1_800_000_000 % 60);
/** `0` not breaching, `X` breaching, `-` missing, oldest first (the notation of AWS's table). */
const slots = (s: string): Slot[] => [...s].map((c, i) => ({ ts: T + i * 60, ...(c === '-' ? {} : { value: c === 'X' ? 10 : 1, sampleCount: 1 }) }));
const verdict = (s: string, tmd: TreatMissingData, over: Partial<Alarm> = {}): string | null =>
  evaluateAlarm(alarm({ treatMissingData: tmd, ...over }), slots(s), (T + 200) * 1000, 'Sum')?.state ?? null;

test('3 out of 3 with each TreatMissingData', () => {
  const table: Array<[string, string | null, string | null, string, string]> = [
    // data, missing, ignore, breaching, notBreaching
    ['000', 'OK', 'OK', 'OK', 'OK'],
    ['0-X', 'OK', 'OK', 'OK', 'OK'],
    ['XXX', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
    ['X-X', 'OK', 'OK', 'ALARM', 'OK'],
    ['---', 'INSUFFICIENT_DATA', null, 'ALARM', 'OK'],
    ['--X', 'OK', 'OK', 'ALARM', 'OK'],
  ];
  for (const [data, missing, ignore, breaching, notBreaching] of table) {
    assert.equal(verdict(data, 'missing'), missing, `${data} missing`);
    assert.equal(verdict(data, 'ignore'), ignore, `${data} ignore`);
    assert.equal(verdict(data, 'breaching'), breaching, `${data} breaching`);
    assert.equal(verdict(data, 'notBreaching'), notBreaching, `${data} notBreaching`);
  }
});

test('M out of N: 2 of 3 breaching datapoints alarm', () => {
  assert.equal(verdict('X0X', 'missing', { datapointsToAlarm: 2 }), 'ALARM');
  assert.equal(verdict('X00', 'missing', { datapointsToAlarm: 2 }), 'OK');
  assert.equal(verdict('-XX', 'missing', { datapointsToAlarm: 2 }), 'ALARM');
});

test('every comparison operator', () => {
  const at = (op: Alarm['comparisonOperator'], v: number): string | undefined =>
    evaluateAlarm(alarm({ comparisonOperator: op, evaluationPeriods: 1, datapointsToAlarm: 1 }), [{ ts: T, value: v }], T * 1000, 'Sum')?.state;
  assert.equal(at('GreaterThanThreshold', 5), 'OK');
  assert.equal(at('GreaterThanOrEqualToThreshold', 5), 'ALARM');
  assert.equal(at('LessThanThreshold', 5), 'OK');
  assert.equal(at('LessThanOrEqualToThreshold', 5), 'ALARM');
  assert.equal(at('LessThanThreshold', 4.5), 'ALARM');
});

test('reasons and reason data read as AWS writes them', () => {
  const v = evaluateAlarm(alarm({ evaluationPeriods: 1, datapointsToAlarm: 1 }), [{ ts: T, value: 7, sampleCount: 7 }], (T + 70) * 1000, 'Sum')!;
  const d = new Date(T * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const when = `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:00`;
  assert.equal(v.reason, `Threshold Crossed: 1 out of the last 1 datapoints [7.0 (${when})] was greater than the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).`);
  const data = JSON.parse(v.reasonData) as Record<string, unknown>;
  assert.equal(data.version, '1.0');
  assert.equal(data.statistic, 'Sum');
  assert.deepEqual(data.recentDatapoints, [7]);
  assert.deepEqual(data.evaluatedDatapoints, [{ timestamp: new Date(T * 1000).toISOString().replace('Z', '+0000'), sampleCount: 7, value: 7 }]);
  const none = evaluateAlarm(alarm(), slots('---'), T * 1000, 'Sum')!;
  assert.equal(none.reason, 'Insufficient Data: 3 datapoints were unknown.');
});
