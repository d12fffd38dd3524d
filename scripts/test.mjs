#!/usr/bin/env node
// Runs the uvu test suites under test/ (TypeScript, loaded through tsx) and
// prints a closing line `N passed, N failed[, N skipped]`.
//
// Usage: npm test [-- [filter ...] [uvu flags]]
//   filter     regex (case-insensitive) matched against the file path
//              relative to test/; several filters are OR-ed.
//              e.g. `npm test -- graph` runs only test/**/*graph*.test.ts
//   uvu flags  anything starting with "-" is passed to uvu (e.g. --bail,
//              -i <pattern>); -i/--ignore/-r/--require take the next arg.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const uvuBin = resolve(root, 'node_modules/uvu/bin.js');

// The kernel tests load build/kernel.wasm (gitignored): build it once in a clean clone.
if (!existsSync(resolve(root, 'build/kernel.wasm'))) {
  console.error('build/kernel.wasm is missing: building it (npm run build:wasm)');
  const asc = spawnSync(process.execPath, [resolve(root, 'node_modules/assemblyscript/bin/asc.js'), '--config', 'asconfig.json', '--target', 'release'], { cwd: root, stdio: 'inherit' });
  if (asc.status !== 0) {
    console.error('could not build build/kernel.wasm');
    process.exit(1);
  }
}

const TEST_SUFFIX = '\\.test\\.ts$';
const VALUE_FLAGS = new Set(['-i', '--ignore', '-r', '--require']);

const filters = [];
const uvuFlags = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a.startsWith('-')) {
    uvuFlags.push(a);
    if (VALUE_FLAGS.has(a) && i + 1 < argv.length) uvuFlags.push(argv[++i]);
  } else {
    filters.push(a);
  }
}
// uvu takes a single pattern (`uvu [dir] [pattern]`, compiled with
// `new RegExp(pattern, 'i')` and tested against the path relative to dir),
// so filters are folded into it as a lookahead.
const pattern = filters.length
  ? `^(?=.*(?:${filters.join('|')})).*${TEST_SUFFIX}`
  : TEST_SUFFIX;

// uvu forces colour on by default; keep it only for an interactive terminal.
if (!process.stdout.isTTY) uvuFlags.push('--no-color');

const child = spawn(
  process.execPath,
  ['--import', 'tsx', uvuBin, 'test', pattern, ...uvuFlags],
  { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] },
);

// The whole suite takes a few minutes; a test that hangs must fail the run, not hold CI for its
// 90 minutes. The last file printed is the one that hung.
const SUITE_LIMIT_MS = Number(process.env.APPORTION_TEST_LIMIT_MS ?? 30 * 60_000);
const watchdog = setTimeout(() => {
  const files = out.split('\n').filter((line) => /\.test\.ts$/.test(line.trim()));
  console.error(`\nthe test run exceeded ${SUITE_LIMIT_MS / 60_000} min; last file started: ${files.at(-1) ?? 'none'}; stopping it`);
  child.kill('SIGKILL');
}, SUITE_LIMIT_MS);
watchdog.unref();

let out = '';
// After uvu's summary the process should exit; if a test left a handle open (a socket still
// reconnecting, a timer), it would wait for ever. Give it a moment, then stop it and say so:
// the summary is complete, the leak is reported.
let lingering = false;
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  out += chunk.toString('utf8');
  if (!lingering && /^\s*Duration:/m.test(out)) {
    lingering = true;
    setTimeout(() => {
      console.error('uvu printed its summary but did not exit within 15 s: a test left a handle open; stopping it');
      child.kill('SIGKILL');
    }, 15_000).unref();
  }
});

child.on('error', (err) => {
  console.error(`failed to start uvu: ${err.message}`);
  process.exit(1);
});

child.on('close', (code, signal) => {
  // eslint-disable-next-line no-control-regex
  const text = out.replace(/\x1b\[[0-9;]*m/g, '');
  const num = (label) => {
    const m = text.match(new RegExp(`^\\s*${label}:\\s+(\\d+)\\s*$`, 'm'));
    return m ? Number(m[1]) : undefined;
  };
  const total = num('Total');
  const passed = num('Passed');
  const skipped = num('Skipped') ?? 0;

  const childFailed = (code !== 0 || signal !== null) && !(lingering && signal === 'SIGKILL');
  if (childFailed) {
    console.error(`uvu exited with ${signal ? `signal ${signal}` : `code ${code}`}`);
  }

  if (total === undefined || passed === undefined) {
    console.error('could not parse the uvu summary (a test file failed to load, or --bail stopped the run)');
    process.exit(1);
  }

  // uvu prints each file's path, then one `(passed / total)` line per suite
  // that called .run(). A file that never calls .run() gets no such line; its
  // tests are dropped, or (with the shared default `test`) silently run under
  // the next file that calls test.run(). Treat that as a failure.
  const noRun = [];
  let current;
  for (const line of text.split('\n')) {
    if (/^\S.*\.test\.ts$/.test(line.trim()) && !/^\s/.test(line)) {
      if (current !== undefined) noRun.push(current);
      current = line.trim();
    } else if (/\(\d+ \/ \d+\)\s*$/.test(line)) {
      current = undefined;
    } else if (/^\s*Total:/.test(line)) {
      break;
    }
  }
  if (current !== undefined) noRun.push(current);
  for (const f of noRun) console.error(`test/${f}: no suite ran; did the file forget to call .run()?`);

  // uvu's Total counts the tests that were run; skipped tests (test.skip, or
  // the non-.only tests of a suite that uses .only) are NOT included in it.
  const failed = total - passed;

  if (total === 0) {
    console.log('no test ran');
    process.exit(1);
  }

  process.stdout.write(
    `\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`,
  );
  process.exit(childFailed || failed > 0 || noRun.length > 0 ? 1 : 0);
});
