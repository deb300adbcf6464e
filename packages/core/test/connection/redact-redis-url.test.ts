import test from 'ava';
import { redactRedisUrl } from '../../src/connection/index.js';

const cases: Array<[string, string]> = [
  ['redis://alice:s3cret@h:6379/0', 'redis://alice:***@h:6379/0'],
  ['redis://:s3cret@h', 'redis://:***@h'],
  ['rediss://alice:s3cret@h', 'rediss://alice:***@h'],
  ['redis://alice@h', 'redis://alice@h'],
  ['redis://h:6379', 'redis://h:6379'],
  ['localhost:6379', 'localhost:6379'],
  ['u:s3cret@h:6379', 'u:***@h:6379'],
  [
    'redis+sentinel://u:s3cret@s1,s2/m?sentinelPassword=other',
    'redis+sentinel://u:***@s1,s2/m?sentinelPassword=***',
  ],
  ['redis+cluster://u:s3cret@h1:7000,h2:7001', 'redis+cluster://u:***@h1:7000,h2:7001'],
  // Unparsable input: unencoded @, / and : in the password.
  ['redis://u:s3/cr@et:x@h', 'redis://u:***@h'],
  ['not a url u:s3cret@', 'not a url u:***@'],
];

for (const [input, expected] of cases) {
  test(`redacts ${expected}`, (t) => {
    t.is(redactRedisUrl(input), expected);
  });
}

test('a secret query value with an unencoded & is hidden entirely', (t) => {
  const out = redactRedisUrl('redis+sentinel://s/m?sentinelPassword=ab&cd');
  t.false(out.includes('ab'));
  t.false(out.includes('cd'));
});
