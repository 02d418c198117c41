import assert from 'node:assert/strict';
import { JOB_STATE_NAMES } from '../../src/protocol/job-states.js';
import { JOB_STATES } from '../../src/protocol/view.js';

describe('protocol/job-states JOB_STATE_NAMES', () => {
  it('lists the proto enum JobState, in its order (status --state offers them so)', () => {
    assert.deepEqual([...JOB_STATE_NAMES], [...JOB_STATES]);
  });
});
