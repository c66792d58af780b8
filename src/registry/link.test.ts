import { describe, expect, it } from 'vitest';
import { nextLink, parseLinkHeader } from './link.ts';

describe('Link headers', () => {
  it('finds the next page the way distribution writes it', () => {
    expect(nextLink('</v2/_catalog?last=b&n=1>; rel="next"')).toBe('/v2/_catalog?last=b&n=1');
  });

  it('finds next among several links and rel types (RFC 8288)', () => {
    const header =
      '<https://r.example/v2/a/tags/list?n=2&last=x>; rel="prev", <https://r.example/v2/a/tags/list?n=2&last=z>; rel="last next"';
    expect(nextLink(header)).toBe('https://r.example/v2/a/tags/list?n=2&last=z');
    expect(parseLinkHeader(header).map((l) => l.params['rel'])).toEqual(['prev', 'last next']);
  });

  it('accepts unquoted and differently cased parameters, and several header values', () => {
    expect(nextLink(['<a>; REL=prev', '</p?last=1>;rel=next;title="x,y"'])).toBe('/p?last=1');
    expect(parseLinkHeader('</p>; rel=next; title="a, b"; hreflang=en')[0]?.params).toEqual({
      rel: 'next',
      title: 'a, b',
      hreflang: 'en',
    });
  });

  it('has no next link when there is none', () => {
    expect(nextLink(undefined)).toBeUndefined();
    expect(nextLink('')).toBeUndefined();
    expect(nextLink('</x>; rel="prev"')).toBeUndefined();
    expect(nextLink('garbage without brackets')).toBeUndefined();
  });
});
