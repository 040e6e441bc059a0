// Runs the test files marked `@slow` in their leading doc comment first, then the rest in jest's
// own order. Jest orders by the durations it cached on earlier runs, and without them (a fresh
// clone, as in CI) by file size, which starts a short file that does minutes of work (the region
// sweep) last, with one worker busy and the other idle at the end.
import { Buffer } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import TestSequencer from '@jest/test-sequencer';

// A CommonJS module: its class is the `default` export of the exports object.
const Sequencer = TestSequencer.default;

/** Whether the doc comment that opens `path` (within its first 4 KiB) has an `@slow` tag. */
function markedSlow(path) {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const length = readSync(fd, head, 0, head.length, 0);
    const opening = /^(?:\s|\/\/[^\n]*\n|import[^;]*;)*\/\*\*([\s\S]*?)\*\//.exec(head.toString('utf8', 0, length));
    return opening !== null && /(^|\s)@slow\b/.test(opening[1]);
  } finally {
    closeSync(fd);
  }
}

export default class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const slow = new Set(sorted.filter((test) => markedSlow(test.path)));
    return [...sorted.filter((test) => slow.has(test)), ...sorted.filter((test) => !slow.has(test))];
  }
}
