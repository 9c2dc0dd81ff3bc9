// Which parsed strings the pre-check's hits fall in (docs/secrets.md): only those can change
// under redactText, so the redaction walk over a parsed record scans no other string.

/** Whether the `"` at i is escaped (an odd number of backslashes before it). */
function escapedAt(s: string, i: number): boolean {
  let n = 0;
  while (i - n > 0 && s.charCodeAt(i - n - 1) === 92) n++;
  return n % 2 === 1;
}

/**
 * The decoded strings of the JSON string tokens of `json` (valid JSON text) that hold a hit
 * in [from, to), or undefined when a hit is not inside a string token. A stem inside a
 * decoded string was a stem in its token (escapes other than `\u` decode to no letter, `-`
 * or `_`; a `\u` or a backslash is a hit itself), so a parsed string (key or value) that is
 * not one of these is left unchanged by redactText: the redaction walk skips its scan.
 */
export function hitStrings(json: string, hits: readonly number[], from: number, to: number): string[] | undefined {
  const out: string[] = [];
  let end = -1;
  for (const h of hits) {
    if (h < from || h >= to || h <= end) continue;
    let open = json.lastIndexOf('"', h - 1);
    while (open >= from && escapedAt(json, open)) open = json.lastIndexOf('"', open - 1);
    let close = json.indexOf('"', h);
    while (close >= 0 && close < to && escapedAt(json, close)) close = json.indexOf('"', close + 1);
    if (open < from || close < 0 || close >= to) return undefined;
    const token = json.slice(open + 1, close);
    if (!token.includes('\\')) out.push(token);
    else {
      try {
        out.push(JSON.parse(json.slice(open, close + 1)) as string);
      } catch {
        return undefined;
      }
    }
    end = close;
  }
  return out;
}
