import { checkTarget, hostMatches } from './smartlink-target';

const policy = { allowedHosts: ['shop.example.com', 'example.org'], allowHttp: false };

describe('SmartLink target policy', () => {
  it.each([
    'https://shop.example.com/products/42',
    'https://example.org/',
    'https://www.example.org/p?x=1#top',
    'https://SHOP.Example.com/Case',
  ])('allows %s', (url) => {
    expect(checkTarget(url, policy)).toMatchObject({ ok: true });
  });

  it.each([
    ['javascript:alert(1)', 'https'],
    ['data:text/html,<script>alert(1)</script>', 'https'],
    ['http://shop.example.com/p', 'https'],
    ['ftp://shop.example.com/p', 'https'],
    ['https://user:pass@shop.example.com/p', 'credentials'],
    ['https://user@shop.example.com/p', 'credentials'],
    ['https://evil.com/p', 'allowed hosts'],
    ['https://badexample.org/', 'allowed hosts'],
    ['https://shop.example.com.evil.com/', 'allowed hosts'],
    ['https://example.com/', 'allowed hosts'],
    ['//shop.example.com/p', 'absolute'],
    ['/relative', 'absolute'],
    ['https://shop.example.com\\@evil.com/', 'backslashes'],
    [' https://shop.example.com/', 'spaces'],
    ['https://shop.example.com./p', 'host'],
  ])('refuses %s', (url, reason) => {
    const result = checkTarget(url, policy);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('allows plain http only where the caller allows it (outside production)', () => {
    expect(checkTarget('http://shop.example.com/p', { ...policy, allowHttp: true })).toMatchObject({
      ok: true,
    });
    expect(checkTarget('javascript:alert(1)', { ...policy, allowHttp: true }).ok).toBe(false);
  });

  it('refuses everything when the company allowed no host', () => {
    expect(checkTarget('https://shop.example.com/', { allowedHosts: [], allowHttp: false }).ok).toBe(false);
  });

  it('matches a host or its subdomains, never a suffix that is not a label', () => {
    expect(hostMatches('a.b.example.com', 'example.com')).toBe(true);
    expect(hostMatches('example.com', 'example.com')).toBe(true);
    expect(hostMatches('notexample.com', 'example.com')).toBe(false);
  });
});
