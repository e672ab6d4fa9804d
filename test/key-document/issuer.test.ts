/** The issuer rule: what may name a published key set, and which URLs keys are fetched from. */
import { isFetchableUrl, issuerProblem } from '../../key-document';

describe('Function: issuerProblem', () => {
  it.each([
    'https://d111111abcdef8.cloudfront.net',
    'https://keys.example.com',
    'https://keys.example.com:8443',
  ])('accepts %s', (issuer) => {
    expect(issuerProblem(issuer)).toBeUndefined();
  });

  it.each([
    'http://keys.example.com',
    'https://keys.example.com/',
    'https://keys.example.com/path',
    'https://keys.example.com#x',
    'https://a:b@keys.example.com',
    'HTTPS://KEYS.EXAMPLE.COM',
    'not a url',
  ])('refuses %s', (issuer) => {
    expect(issuerProblem(issuer)).toBeDefined();
  });

  it('accepts plain http on a loopback host only when asked', () => {
    expect(issuerProblem('http://127.0.0.1:4566')).toBeDefined();
    expect(issuerProblem('http://127.0.0.1:4566', { allowLoopbackHttp: true })).toBeUndefined();
    expect(issuerProblem('http://keys.example.com', { allowLoopbackHttp: true })).toBeDefined();
    expect(issuerProblem('ftp://127.0.0.1', { allowLoopbackHttp: true })).toBeDefined();
  });
});

describe('Function: isFetchableUrl', () => {
  it.each([
    ['https://keys.example.com/jwks.json', true],
    ['http://127.0.0.1:4566/jwks.json', true],
    ['http://[::1]:4566/', true],
    ['http://localhost/', true],
    ['http://keys.example.com/jwks.json', false],
    ['ftp://127.0.0.1/', false],
  ])('%s: %s', (url, fetchable) => {
    expect(isFetchableUrl(new URL(url))).toBe(fetchable);
  });
});
