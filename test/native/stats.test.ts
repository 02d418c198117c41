import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const nativeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../native');

describe('pktgen-emit statistics, frames and pacer (make -C native test: native/unit-test.c)', function () {
  this.timeout(120_000);
  let output: string;
  let exitCode: number | undefined;

  before(async () => {
    const result = await execa('make', ['-s', '-C', nativeDir, 'test'], { reject: false, all: true });
    output = String(result.all);
    exitCode = result.exitCode;
  });

  it('passes every check and says so', () => {
    assert.equal(exitCode, 0, output);
    assert.match(output, /^\d+ passed, 0 failed$/m, output);
  });

  const groups = [
    'interval mean/std, partial interval excluded',
    'warm-up exclusion, loss, duplicates, reordering',
    'percentiles against a known set',
    'histogram precision: 1 us or 1 %, whichever is coarser',
    'duplicate window',
    'Internet checksum',
    'raw Ethernet/IPv4/UDP frames',
    'pacer: packets per batch',
    'pacer: steady rate on a fake clock',
    'pacer: burst after idle capped at one bucket',
    'pacer: stalls counted, credit beyond one bucket dropped',
    'pacer: rate changes',
    'pacer: without a rate, and turned on and off',
    'pacer: traffic owed before a boundary',
  ];
  for (const group of groups) {
    it(group, () => {
      const line = output.split('\n').find((l) => l.endsWith(` ${group}`));
      assert.ok(line, `no result line for "${group}" in:\n${output}`);
      assert.match(line, /^ok /, output);
    });
  }
});
