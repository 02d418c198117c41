import assert from 'node:assert/strict';
import { replyAddress } from '../../src/agent/reply-to.js';
import { Allowlist } from '../../src/transport/allowlist.js';

const none = new Allowlist([], '--legacy-allow');
const lab = new Allowlist(['10.0.0.0/8'], '--legacy-allow');

describe('agent: where a job\'s statuses may go (reply_to)', () => {
  const cases: Array<[string, string, string, Allowlist, string]> = [
    // [what, reply_to, source host, --legacy-allow, outcome]
    ['no reply_to: the source host at --scheduler-port', '', '127.0.0.1', none, 'to 127.0.0.1:1800'],
    [':PORT: the source host at that port', ':1900', '127.0.0.1', none, 'to 127.0.0.1:1900'],
    ['the source host at any port', '127.0.0.1:1900', '127.0.0.1', none, 'to 127.0.0.1:1900'],
    ['an IPv4-mapped source is its IPv4 host', '127.0.0.1:1900', '::ffff:127.0.0.1', none, 'to 127.0.0.1:1900'],
    ['IPv6 compared as addresses, not text', '[0:0:0:0:0:0:0:1]:1900', '::1', none, 'to [0:0:0:0:0:0:0:1]:1900'],
    ['another host: refused, FAIL to the source', '127.0.0.2:1900', '127.0.0.1', none,
      'refused at 127.0.0.1:1800: reply_to 127.0.0.2:1900: statuses go only to the job\'s source host 127.0.0.1 or to --legacy-allow (none)'],
    ['another host inside --legacy-allow', '10.1.2.3:1800', '127.0.0.1', lab, 'to 10.1.2.3:1800'],
    ['another host outside --legacy-allow', '192.0.2.1:1800', '10.0.0.5', lab,
      'refused at 10.0.0.5:1800: reply_to 192.0.2.1:1800: statuses go only to the job\'s source host 10.0.0.5 or to --legacy-allow (10.0.0.0/8)'],
    ['a name: refused, DNS could point it anywhere', 'localhost:1900', '127.0.0.1', none,
      'refused at 127.0.0.1:1800: reply_to localhost:1900: expected an IP address (a name could resolve to any host)'],
    ['unparsable: ignored, the default address', '127.0.0.1', '127.0.0.1', none, 'ignored at 127.0.0.1:1800'],
  ];
  for (const [what, replyTo, source, legacyAllow, expected] of cases) {
    it(what, () => {
      const reply = replyAddress(replyTo, source, 1800, legacyAllow);
      const at = `${reply.to.host.includes(':') ? `[${reply.to.host}]` : reply.to.host}:${reply.to.port}`;
      const got = reply.refused ? `refused at ${at}: ${reply.refused}` : reply.ignored ? `ignored at ${at}` : `to ${at}`;
      assert.equal(got, expected);
    });
  }
});
