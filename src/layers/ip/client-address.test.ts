// Client address derivation: walking forwarding headers from the right, and the ways a client
// tries to choose its own address (spoofed headers, forged hops, odd encodings).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigText } from '../../config/load.ts';
import { parseAddress, parseRange } from './address.ts';
import { compileClientAddress, forwardedFor, xffEntries } from './client-address.ts';

function derive(ip: string) {
  const { config } = loadConfigText(`ip: ${ip}`);
  const d = compileClientAddress(config);
  assert.ok(d);
  return d;
}

const XFF = derive('{ trustedProxies: [10.0.0.0/8, "2001:db8:ff::/48"] }');

test('without trusted proxies the client address is the peer and nothing is compiled', () => {
  assert.equal(compileClientAddress(loadConfigText('{}').config), undefined);
});

test('a client that is not a trusted proxy cannot choose its address with X-Forwarded-For', () => {
  const d = XFF('198.51.100.1', { 'x-forwarded-for': '203.0.113.9' });
  assert.equal(d.clientIp, '198.51.100.1');
  assert.equal(d.via, 'peer');
});

test('behind a trusted proxy the rightmost untrusted hop is the client; forged hops to its left are never read', () => {
  assert.equal(XFF('10.0.0.2', { 'x-forwarded-for': '203.0.113.9' }).clientIp, '203.0.113.9');
  // The client sent "1.1.1.1, 10.9.9.9" itself; the proxy appended the real address.
  const forged = XFF('10.0.0.2', { 'x-forwarded-for': '1.1.1.1, 10.9.9.9, 198.51.100.7' });
  assert.equal(forged.clientIp, '198.51.100.7');
  assert.match(forged.via, /X-Forwarded-For entry 1 from the right, after trusted proxies 10\.0\.0\.2/);
  // Two trusted proxies in a row are walked through.
  assert.equal(XFF('10.0.0.2', { 'x-forwarded-for': '1.1.1.1, 198.51.100.7, 10.0.0.3' }).clientIp, '198.51.100.7');
  // Repeated header lines are one list, in order.
  assert.equal(XFF('10.0.0.2', { 'x-forwarded-for': ['1.1.1.1', '198.51.100.7, 10.0.0.3'] }).clientIp, '198.51.100.7');
  // Only trusted hops: the leftmost is the best knowledge there is.
  assert.equal(XFF('10.0.0.2', { 'x-forwarded-for': '10.1.1.1, 10.0.0.3' }).clientIp, '10.1.1.1');
  // A trusted proxy that sent no header: the proxy itself.
  assert.match(XFF('10.0.0.2', {}).via, /sent no X-Forwarded-For/);
});

test('a hop that is not a plain address stops the walk at the last trusted hop', () => {
  for (const bad of ['garbage', 'unknown', '127.1', '0x7f.0.0.1', '2130706433', '010.0.0.1', '', '203.0.113.9:port', '[2001:db8::1', '203.0.113.9 203.0.113.8']) {
    const d = XFF('10.0.0.2', { 'x-forwarded-for': `203.0.113.5, ${bad}` });
    assert.equal(d.clientIp, '10.0.0.2', `entry ${JSON.stringify(bad)}`);
    assert.match(d.via, /is not an address; the last trusted hop 10\.0\.0\.2 is taken/);
  }
  // After a trusted hop, the last trusted hop is that one.
  assert.equal(XFF('10.0.0.2', { 'x-forwarded-for': 'junk, 10.0.0.3' }).clientIp, '10.0.0.3');
});

test('IPv6 and IPv4-mapped forms: ports and brackets, mapped peers and hops match IPv4 ranges', () => {
  assert.equal(XFF('::ffff:10.0.0.2', { 'x-forwarded-for': '[2001:db8::1]:443' }).clientIp, '2001:db8::1');
  assert.equal(XFF('2001:db8:ff::1', { 'x-forwarded-for': '203.0.113.9:51000' }).clientIp, '203.0.113.9');
  // A mapped form of a trusted address is trusted; a mapped form of an untrusted one is the client.
  assert.equal(XFF('10.0.0.2', { 'x-forwarded-for': '198.51.100.7, ::ffff:10.0.0.3' }).clientIp, '198.51.100.7');
  assert.equal(XFF('10.0.0.2', { 'x-forwarded-for': '::ffff:198.51.100.7' }).clientIp, '::ffff:198.51.100.7');
  assert.equal(XFF('2001:db8:fe::1', { 'x-forwarded-for': '203.0.113.9' }).clientIp, '2001:db8:fe::1');
});

test('Forwarded (RFC 7239) when configured: for= of each element, from the right; a broken left part hides nothing', () => {
  const fwd = derive('{ trustedProxies: [10.0.0.0/8], forwardedHeader: forwarded }');
  assert.equal(fwd('10.0.0.2', { forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43' }).clientIp, '192.0.2.60');
  assert.equal(fwd('10.0.0.2', { forwarded: 'for=192.0.2.60, for="[2001:db8:cafe::17]:4711"' }).clientIp, '2001:db8:cafe::17');
  assert.equal(fwd('10.0.0.2', { forwarded: 'for=192.0.2.60, for=10.0.0.9;host="a,b"' }).clientIp, '192.0.2.60');
  // The client sent an unterminated quote; the proxy appended its element after it.
  assert.equal(fwd('10.0.0.2', { forwarded: 'for="1.1.1.1, for=198.51.100.7' }).clientIp, '198.51.100.7');
  assert.equal(fwd('10.0.0.2', { forwarded: 'for=unknown' }).clientIp, '10.0.0.2');
  assert.equal(fwd('10.0.0.2', { forwarded: 'for=_hidden' }).clientIp, '10.0.0.2');
  // With Forwarded configured, an X-Forwarded-For (which the client could have written) is not read.
  assert.match(fwd('10.0.0.2', { 'x-forwarded-for': '198.51.100.7' }).via, /sent no Forwarded/);
  assert.equal(XFF('10.0.0.2', { forwarded: 'for=198.51.100.7' }).clientIp, '10.0.0.2');
});

test('X-Forwarded-Proto is believed from a trusted proxy only, rightmost value', () => {
  assert.equal(XFF('10.0.0.2', { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'http, https' }).proto, 'https');
  assert.equal(XFF('198.51.100.1', { 'x-forwarded-proto': 'https' }).proto, undefined);
  assert.equal(XFF('10.0.0.2', { 'x-forwarded-proto': 'gopher' }).proto, undefined);
});

test('parsers: entries from the right, ranges with mapped prefixes', () => {
  assert.deepEqual(xffEntries('a, b ,c'), ['c', 'b', 'a']);
  assert.deepEqual(forwardedFor('for=a;by=x, For="b"'), ['b', 'a']);
  assert.equal(parseRange('::ffff:10.0.0.0/104')?.bits, 8);
  assert.equal(parseRange('10.0.0.0/33'), undefined);
  assert.equal(parseRange('10.0.0.0/8x'), undefined);
  assert.equal(parseAddress('::ffff:192.0.2.1')?.toString(), '192.0.2.1');
  assert.equal(parseAddress('1.2.3'), undefined);
});

test('a list entry that is not an address or range is refused at load, at its line', () => {
  assert.throws(() => loadConfigText('ip:\n  deny: [10.0.0.0/8, "10.1"]\n', 'c.yaml'), /c\.yaml:2:\d+ +ip\.deny\[1\] +not an IP address or CIDR range/);
  assert.throws(() => loadConfigText('ip: { trustedProxies: ["0x0a000001"] }\n', 'c.yaml'), /ip\.trustedProxies\[0\]/);
});
