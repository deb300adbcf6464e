import test from 'ava';
import { parseRedisUrl } from '../../src/connection/index.js';
import { ValidationError } from '../../src/errors.js';

test('redis:// with everything', (t) => {
  t.deepEqual(parseRedisUrl('redis://alice:s3cret@cache.local:6380/2'), {
    kind: 'single',
    host: 'cache.local',
    port: 6380,
    db: 2,
    username: 'alice',
    password: 's3cret',
    tls: false,
  });
});

test('redis:// defaults: port 6379, db 0, no credentials', (t) => {
  t.deepEqual(parseRedisUrl('redis://localhost'), {
    kind: 'single',
    host: 'localhost',
    port: 6379,
    db: 0,
    tls: false,
  });
  t.deepEqual(parseRedisUrl('redis://localhost/'), {
    kind: 'single',
    host: 'localhost',
    port: 6379,
    db: 0,
    tls: false,
  });
});

test('rediss:// means TLS; the scheme is case-insensitive', (t) => {
  t.like(parseRedisUrl('rediss://h:1234'), { kind: 'single', host: 'h', port: 1234, tls: true });
  t.like(parseRedisUrl('REDISS://h'), { tls: true });
});

test('password only and user only', (t) => {
  const passwordOnly = parseRedisUrl('redis://:pw@h');
  t.is(passwordOnly.password, 'pw');
  t.false('username' in passwordOnly);
  const userOnly = parseRedisUrl('redis://bob@h');
  t.is(userOnly.username, 'bob');
  t.false('password' in userOnly);
});

test('user and password are percent-decoded', (t) => {
  t.like(parseRedisUrl('redis://us%40er:p%3Aa%2Fss%40w%25rd@h'), {
    username: 'us@er',
    password: 'p:a/ss@w%rd',
  });
});

test('an unencoded @ or / in the password still parses (the last @ ends the userinfo)', (t) => {
  t.like(parseRedisUrl('redis://u:p@ss/w@h:7000/1'), {
    username: 'u',
    password: 'p@ss/w',
    host: 'h',
    port: 7000,
    db: 1,
  });
});

test('bare host:port means redis://', (t) => {
  t.deepEqual(parseRedisUrl('localhost:6379'), {
    kind: 'single',
    host: 'localhost',
    port: 6379,
    db: 0,
    tls: false,
  });
  t.like(parseRedisUrl('10.0.0.7'), { host: '10.0.0.7', port: 6379 });
});

test('IPv6 hosts in brackets', (t) => {
  t.like(parseRedisUrl('redis://[::1]:6390'), { host: '::1', port: 6390 });
  t.like(parseRedisUrl('redis+cluster://[::1]:7000,[fe80::2]'), {
    nodes: [
      { host: '::1', port: 7000 },
      { host: 'fe80::2', port: 6379 },
    ],
  });
});

test('redis+sentinel:// with hosts, master name and db', (t) => {
  t.deepEqual(parseRedisUrl('redis+sentinel://u:pw@s1:26379,s2:26380,s3/mymaster/3'), {
    kind: 'sentinel',
    sentinels: [
      { host: 's1', port: 26379 },
      { host: 's2', port: 26380 },
      { host: 's3', port: 26379 },
    ],
    name: 'mymaster',
    db: 3,
    username: 'u',
    password: 'pw',
    tls: false,
  });
});

test('rediss+sentinel:// and sentinelPassword', (t) => {
  t.deepEqual(parseRedisUrl('rediss+sentinel://:pw@s1/m?sentinelPassword=s%26p'), {
    kind: 'sentinel',
    sentinels: [{ host: 's1', port: 26379 }],
    name: 'm',
    db: 0,
    password: 'pw',
    sentinelPassword: 's&p',
    tls: true,
  });
});

test('redis+cluster:// and rediss+cluster://', (t) => {
  t.deepEqual(parseRedisUrl('redis+cluster://u:pw@h1:7000,h2:7001'), {
    kind: 'cluster',
    nodes: [
      { host: 'h1', port: 7000 },
      { host: 'h2', port: 7001 },
    ],
    username: 'u',
    password: 'pw',
    tls: false,
  });
  t.like(parseRedisUrl('rediss+cluster://h1:7000/'), { kind: 'cluster', tls: true });
  t.like(parseRedisUrl('redis+cluster://h1:7000/0'), { kind: 'cluster' });
});

const PASSWORD = 'Sup3rS3cret';
const bad: Array<[string, RegExp]> = [
  ['', /empty/],
  ['   ', /empty/],
  [`http://u:${PASSWORD}@h`, /unknown scheme "http:\/\/"/],
  [`redis://u:${PASSWORD}@h:notaport`, /invalid port "notaport"/],
  [`redis://u:${PASSWORD}@h:0`, /invalid port "0"/],
  [`redis://u:${PASSWORD}@h:70000`, /invalid port/],
  [`redis://u:${PASSWORD}@h/x`, /invalid database "x"/],
  [`redis://u:${PASSWORD}@h/1/2`, /database number/],
  [`redis://u:${PASSWORD}@h1,h2`, /one host/],
  [`redis://u:${PASSWORD}@`, /host is missing/],
  [`redis://u:${PASSWORD}@bad host`, /invalid host/],
  [`redis://u:${PASSWORD}%zz@h`, /percent-encoding/],
  [`redis://u:${PASSWORD}@h?timeout=1`, /query parameters/],
  [`redis://u:${PASSWORD}@h#frag`, /fragment/],
  [`redis+sentinel://u:${PASSWORD}@s1,s2`, /master name/],
  [`redis+sentinel://u:${PASSWORD}@s1/m/1/2`, /mastername\[\/db\]/],
  [`redis+sentinel://s1/m?sentinelPassword=${PASSWORD}&x${PASSWORD}=1`, /unknown query parameter/],
  [`redis+cluster://u:${PASSWORD}@h1:7000/3`, /only database 0/],
  [`u:${PASSWORD}@h:port`, /invalid port "port"/],
];

for (const [url, reason] of bad) {
  test(`refused: ${JSON.stringify(url.replaceAll(PASSWORD, 'PW'))}`, (t) => {
    const err = t.throws(() => parseRedisUrl(url), { instanceOf: ValidationError });
    t.is(err?.field, 'redis.url');
    t.is(err?.code, 'invalid_argument');
    t.regex(err?.message ?? '', reason);
    t.regex(err?.message ?? '', /Accepted forms: redis:\/\//);
    t.regex(err?.message ?? '', /redis\+sentinel:\/\//);
    t.regex(err?.message ?? '', /redis\+cluster:\/\//);
    t.false((err?.message ?? '').includes(PASSWORD), 'the password never appears');
    t.false((err?.message ?? '').includes(PASSWORD.slice(2)), 'nor a part of it');
  });
}

test('the error shows the URL redacted', (t) => {
  const err = t.throws(() => parseRedisUrl(`redis://alice:${PASSWORD}@h:x`), { instanceOf: ValidationError });
  t.true(err?.message.includes('"redis://alice:***@h:x"'));
});
