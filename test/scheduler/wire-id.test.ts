import assert from 'node:assert/strict';
import { parseWireJobId, wireJobId } from '../../src/scheduler/wire-id.js';

describe('wire ids: one per run of a job', () => {
  const cases: Array<[string, number, string]> = [
    ['j0123456789ab', 1, 'j0123456789ab'],
    ['j0123456789ab', 2, 'j0123456789ab.2'],
    ['j0123456789ab', 37, 'j0123456789ab.37'],
  ];
  for (const [jobId, run, wire] of cases) {
    it(`run ${run} of ${jobId} goes out as ${wire}, and reads back`, () => {
      assert.equal(wireJobId(jobId, run), wire);
      assert.deepEqual(parseWireJobId(wire), { jobId, run });
    });
  }

  const plain: string[] = ['j0123456789ab', 'j0123456789ab.1', 'j0123456789ab.x', '.5', 'a.b.c'];
  for (const wire of plain) {
    it(`reads "${wire}" as run 1 of a job of that id`, () => assert.deepEqual(parseWireJobId(wire), { jobId: wire, run: 1 }));
  }
});
