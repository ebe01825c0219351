/**
 * Safe Browsing canonicalisation works on bytes, not characters: it percent-unescapes repeatedly and
 * re-escapes byte by byte. We represent a byte sequence as a "binary string" (one char per byte,
 * code 0–255) so that the fast paths stay plain string operations.
 */

const HEX = '0123456789ABCDEF';

/**
 * Text → binary string. Characters are UTF-8 encoded (as browsers do for paths and hosts), with one
 * exception: C1 control code points U+0080–U+009F never occur in text; a JS string holding them almost
 * certainly came from a byte-oriented (latin1) decoding, so they are taken as the single byte they name.
 * That keeps the spec's byte-level example `http://\x01\x80.com/` → `http://%01%80.com/` true.
 */
export function toBinary(input: string): string {
  // Fast path: pure ASCII, the overwhelming case.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the point
  if (!/[^\x00-\x7f]/.test(input)) return input;
  let out = '';
  for (const ch of input) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0xa0) out += String.fromCharCode(cp);
    else out += Buffer.from(ch, 'utf8').toString('latin1');
  }
  return out;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** One pass of percent-unescaping; `%` not followed by two hex digits stays as it is. */
export function unescapeOnce(s: string): string {
  let i = s.indexOf('%');
  if (i < 0) return s;
  let out = s.slice(0, i);
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 37 && i + 2 < s.length) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        out += String.fromCharCode(h * 16 + l);
        i += 3;
        continue;
      }
    }
    out += s[i];
    i++;
  }
  return out;
}

/** Percent-unescapes until nothing changes. Each changing pass shortens the string, so it ends. */
export function unescapeFully(s: string): string {
  for (;;) {
    const t = unescapeOnce(s);
    if (t === s) return s;
    s = t;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the spec's escape set
const NEEDS_ESCAPE = /[\x00-\x20\x7f-\xff#%]/;

/** Escapes bytes <= 0x20, >= 0x7f, '#' and '%' as %XX with upper-case hex, as the spec requires. */
export function escapeBytes(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 35 || c === 37) out += `%${HEX[c >> 4]}${HEX[c & 15]}`;
    else out += s[i];
  }
  return out;
}

/** Lower-cases A–Z only (String#toLowerCase would also fold latin1 bytes 0xC0–0xDE). */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/** Binary string → text when it is valid UTF-8, else null. */
export function utf8OrNull(bin: string): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(bin, 'latin1'));
  } catch {
    return null;
  }
}
