import assert from 'node:assert/strict';
import { chooseStateDir } from '../../src/store/index.js';

describe('chooseStateDir', () => {
  const homedir = '/home/ada';
  const cases: Array<[string, Record<string, string | undefined>, string]> = [
    ['PKTGEN_STATE_DIR wins over everything', { PKTGEN_STATE_DIR: '/srv/pktgen', XDG_STATE_HOME: '/x' }, '/srv/pktgen'],
    ['PKTGEN_STATE_DIR may be relative', { PKTGEN_STATE_DIR: 'state' }, 'state'],
    ['an empty PKTGEN_STATE_DIR counts as unset', { PKTGEN_STATE_DIR: '', XDG_STATE_HOME: '/x' }, '/x/pktgen'],
    ['XDG_STATE_HOME when absolute', { XDG_STATE_HOME: '/var/state' }, '/var/state/pktgen'],
    ['a relative XDG_STATE_HOME is ignored', { XDG_STATE_HOME: 'rel/state' }, '/home/ada/.local/state/pktgen'],
    ['an empty XDG_STATE_HOME is ignored', { XDG_STATE_HOME: '' }, '/home/ada/.local/state/pktgen'],
    ['the home default otherwise', {}, '/home/ada/.local/state/pktgen'],
  ];
  for (const [title, env, expected] of cases) {
    it(title, () => assert.equal(chooseStateDir({ env, homedir }), expected));
  }
});
