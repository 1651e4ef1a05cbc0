import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeLabelValue, labelName, metricName, render } from './prometheus.js';

test('names and labels are sanitized, values escaped', () => {
  assert.equal(metricName('My App/Errors.count'), 'My_App_Errors_count');
  assert.equal(metricName('5xx'), '_5xx');
  assert.equal(labelName('Instance-Id'), 'Instance_Id');
  assert.equal(labelName('__name'), 'x__name');
  assert.equal(labelName('9lives'), '_9lives');
  assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
});

test('families render once, with HELP and TYPE, colliding samples kept once', () => {
  const text = render([
    { name: 'app/errors_sum', help: 'Sum', type: 'gauge', samples: [{ labels: [['host', 'a"1']], value: 3 }] },
    { name: 'app.errors_sum', help: 'Sum', type: 'gauge', samples: [{ labels: [['host', 'b']], value: 4 }, { labels: [['host', 'b']], value: 5 }] },
    { name: 'logward_up', help: 'up\nnow', type: 'gauge', samples: [{ labels: [], value: 1 }] },
  ]);
  assert.equal(
    text,
    [
      '# HELP app_errors_sum Sum',
      '# TYPE app_errors_sum gauge',
      'app_errors_sum{host="a\\"1"} 3',
      'app_errors_sum{host="b"} 4',
      '# HELP logward_up up\\nnow',
      '# TYPE logward_up gauge',
      'logward_up 1',
      '',
    ].join('\n'),
  );
});
