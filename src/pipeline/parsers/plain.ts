import { RejectLine } from '../base.js';

/**
 * The text of a plain-list line: `#` starts a comment (whole line, or after whitespace, so a `#` inside
 * a URL fragment stays); one value per line, so inner whitespace means the line is not one value.
 */
export function stripComment(line: string): string {
  let text = line;
  if (text.trimStart().startsWith('#')) return '';
  const m = /\s#/.exec(text);
  if (m) text = text.slice(0, m.index);
  text = text.trim();
  if (/\s/.test(text)) throw new RejectLine('more than one value on the line');
  return text;
}
