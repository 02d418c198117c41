import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Config } from '@oclif/core';
import { currentReference, loadCliConfig, renderReference, replaceReference, REFERENCE_MARKERS } from '../../src/help/reference.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README command reference', () => {
  let config: Config;
  before(async function () {
    this.timeout(60_000);
    config = await loadCliConfig();
  });

  it('matches the commands\' definitions (run npm run readme:commands after changing a flag)', () => {
    const current = currentReference(readme);
    assert.ok(current, `README.md has no ${REFERENCE_MARKERS.begin} ... ${REFERENCE_MARKERS.end} block`);
    assert.equal(current, renderReference(config), 'README.md command reference drifted: run npm run readme:commands');
  });

  it('documents every visible command with its usage, flags and examples', () => {
    const reference = renderReference(config);
    for (const id of ['keygen', 'schedule', 'serve', 'status', 'submit', 'autocomplete']) {
      assert.match(reference, new RegExp(`### \`pktgen ${id}\`\\n\\n\`\`\`\\nUSAGE\\n  \\$ pktgen ${id}`), id);
    }
    assert.match(reference, /--max-queue=<value>\s+\[default: 1000\]/);
    assert.match(reference, /\$ pktgen schedule -n examples\/nodes.json -j examples\/jobs.json/);
    // Help text wraps at a fixed width, not the terminal's, and names nothing of this machine.
    assert.ok(reference.split('\n').every((line) => line.length <= 100), 'a line is wider than 100 columns');
    assert.doesNotMatch(reference, /\x1b\[/);
    assert.match(reference, /--name=<value>\s+node identity reported in statuses \[default: the host name, plus/);
    assert.ok(!reference.includes(`[default: ${hostname()}]`), 'the reference names this machine');
  });

  it('replaces only the text between the markers', () => {
    const text = `intro\n${REFERENCE_MARKERS.begin}\nold\n${REFERENCE_MARKERS.end}\noutro\n`;
    assert.equal(replaceReference(text, `${REFERENCE_MARKERS.begin}\nnew\n${REFERENCE_MARKERS.end}`), `intro\n${REFERENCE_MARKERS.begin}\nnew\n${REFERENCE_MARKERS.end}\noutro\n`);
    assert.throws(() => replaceReference('no markers', 'x'), /README.md has no <!-- commands:begin -->/);
  });
});
