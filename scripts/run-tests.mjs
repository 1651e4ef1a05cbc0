#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with Node's built-in test runner.
// Node 20's runner takes no globs, so the files are listed here.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const only = process.argv.slice(2);
// tsc never removes what it compiled before: a test moved or deleted in the sources leaves its old copy
// in dist/, which is not run (dist/src/a.test.js comes from src/a.test.ts).
const found = find('dist', []);
const stale = found.filter((f) => !existsSync(f.slice('dist/'.length).replace(/\.js$/, '.ts')));
for (const f of stale) console.error(`skipping ${f}: its source is gone (a stale build output)`);
const files = found.filter((f) => !stale.includes(f) && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
if (files.length === 0) {
  console.error('no test files found under dist/');
  process.exit(1);
}
// The SDK's notice that its 2027 releases need Node 22 (the project pins its SDK versions and runs on
// Node 20, as src/cli/main.ts says) would otherwise be printed by every test file that makes a client.
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true' };
const r = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=300000', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env },
);
process.exit(r.status ?? 1);
