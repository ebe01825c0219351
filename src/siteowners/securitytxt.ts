/**
 * RFC 9116 security.txt: "Field: value" lines, # comments, optionally inside an OpenPGP cleartext
 * signature. Contact (one or more, required) and Expires (required, exactly one, in the future) make
 * a valid file; Preferred-Languages is a comma-separated list of language tags.
 */
export interface SecurityTxt {
  contacts: string[];
  expires: Date | null;
  languages: string[];
  problems: string[];
  valid: boolean;
}

export function parseSecurityTxt(text: string, now: Date): SecurityTxt {
  let body = text.replace(/\r\n?/g, '\n');
  // A signed file: take the signed text, undo dash-escaping (RFC 4880 §7.1).
  const signed =
    /-----BEGIN PGP SIGNED MESSAGE-----\n(?:[^\n]+\n)*\n([\s\S]*?)\n-----BEGIN PGP SIGNATURE-----/.exec(body);
  if (signed) body = signed[1].replace(/^- /gm, '');
  const contacts: string[] = [];
  const languages: string[] = [];
  const expires: string[] = [];
  const problems: string[] = [];
  for (const line of body.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const m = /^([A-Za-z0-9-]+):\s*(.*?)\s*$/.exec(line);
    if (!m) {
      problems.push(`not a field: ${line.slice(0, 80)}`);
      continue;
    }
    const name = m[1].toLowerCase();
    if (name === 'contact') contacts.push(m[2]);
    else if (name === 'expires') expires.push(m[2]);
    else if (name === 'preferred-languages')
      languages.push(
        ...m[2]
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean),
      );
  }
  if (contacts.length === 0) problems.push('no Contact field');
  for (const c of contacts)
    if (!/^(mailto:|https:|tel:)/i.test(c))
      problems.push(`Contact must be a mailto:, https: or tel: URI: ${c}`);
  let exp: Date | null = null;
  if (expires.length !== 1)
    problems.push(expires.length ? 'more than one Expires field' : 'no Expires field');
  else {
    const t = Date.parse(expires[0]);
    if (Number.isNaN(t)) problems.push(`Expires is not an RFC 3339 date-time: ${expires[0]}`);
    else {
      exp = new Date(t);
      if (t < now.getTime()) problems.push(`expired on ${expires[0]}`);
    }
  }
  return { contacts, expires: exp, languages, problems, valid: problems.length === 0 };
}

/** The first e-mail address among the contacts (mailto:), which is what an X-ARF report is sent to. */
export function emailContact(contacts: string[]): string | null {
  for (const c of contacts) {
    const m = /^mailto:([^?\s]+@[^?\s]+)/i.exec(c);
    if (m) return decodeURIComponent(m[1]);
  }
  return null;
}
