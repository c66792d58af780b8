/**
 * RFC 8288 `Link` headers, as registries use them to paginate `/tags/list` and `/_catalog`:
 * `Link: </v2/app/tags/list?last=v9&n=50>; rel="next"`.
 * @module
 */

/** One link: its target (as written, possibly relative) and its parameters, names lower-cased. */
export interface Link {
  url: string;
  params: Record<string, string>;
}

/** Parses every link in one or more `Link` header values. Malformed entries are skipped. */
export function parseLinkHeader(values: string | readonly string[] | undefined): Link[] {
  if (values === undefined) return [];
  const out: Link[] = [];
  for (const value of typeof values === 'string' ? [values] : values) {
    let i = 0;
    while (i < value.length) {
      const open = value.indexOf('<', i);
      if (open < 0) break;
      const close = value.indexOf('>', open);
      if (close < 0) break;
      const link: Link = { url: value.slice(open + 1, close), params: {} };
      i = close + 1;
      // Parameters run until the next comma that is outside a quoted string.
      for (;;) {
        while (value[i] === ' ' || value[i] === '\t') i++;
        if (value[i] !== ';') break;
        i++;
        const eq = value.indexOf('=', i);
        const nextSemi = value.indexOf(';', i);
        const nextComma = value.indexOf(',', i);
        const end = [nextSemi, nextComma, value.length]
          .filter((n) => n >= 0)
          .reduce((a, b) => Math.min(a, b));
        if (eq < 0 || eq > end) {
          const name = value.slice(i, end).trim().toLowerCase();
          if (name) link.params[name] = '';
          i = end;
          continue;
        }
        const name = value.slice(i, eq).trim().toLowerCase();
        i = eq + 1;
        while (value[i] === ' ' || value[i] === '\t') i++;
        let paramValue = '';
        if (value[i] === '"') {
          i++;
          while (i < value.length && value[i] !== '"') {
            if (value[i] === '\\') i++;
            paramValue += value[i] ?? '';
            i++;
          }
          i++;
        } else {
          const stop = [value.indexOf(';', i), value.indexOf(',', i), value.length]
            .filter((n) => n >= 0)
            .reduce((a, b) => Math.min(a, b));
          paramValue = value.slice(i, stop).trim();
          i = stop;
        }
        if (name && !Object.hasOwn(link.params, name)) link.params[name] = paramValue;
      }
      out.push(link);
      const comma = value.indexOf(',', i);
      if (comma < 0) break;
      i = comma + 1;
    }
  }
  return out;
}

/** The target of the `rel="next"` link, if any (`rel` may list several space-separated types). */
export function nextLink(values: string | readonly string[] | undefined): string | undefined {
  return parseLinkHeader(values).find((l) =>
    (l.params['rel'] ?? '').toLowerCase().split(/\s+/).includes('next'),
  )?.url;
}
