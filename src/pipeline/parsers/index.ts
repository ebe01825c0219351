import { YojinError } from '../../errors/index.js';
import type { Parser } from '../types.js';
import { parser as feodoCsv } from './feodo-csv/index.js';
import { parser as feodoTxt } from './feodo-txt/index.js';
import { parser as openphishTxt } from './openphish-txt/index.js';
import { parser as phishtankCsv } from './phishtank-csv/index.js';
import { parser as plainDomains } from './plain-domains/index.js';
import { parser as plainIps } from './plain-ips/index.js';
import { parser as plainUrls } from './plain-urls/index.js';
import { parser as rpz } from './rpz/index.js';
import { parser as spamhausDrop } from './spamhaus-drop/index.js';
import { parser as spamhausDropJson } from './spamhaus-drop-json/index.js';
import { parser as stix2 } from './stix2/index.js';
import { parser as urlhausCsv } from './urlhaus-csv/index.js';

/** Every parser, by format name (one folder each). */
const PARSERS: ReadonlyMap<string, Parser> = new Map(
  [
    urlhausCsv,
    openphishTxt,
    phishtankCsv,
    feodoCsv,
    feodoTxt,
    spamhausDrop,
    spamhausDropJson,
    rpz,
    stix2,
    plainUrls,
    plainDomains,
    plainIps,
  ].map((p) => [p.format, p]),
);

export const FORMATS: string[] = [...PARSERS.keys()];

/** The parser of a format; an unknown name is an error that lists the known ones. */
export function getParser(format: string): Parser {
  const p = PARSERS.get(format);
  if (!p)
    throw new YojinError(
      'FEED_UNKNOWN_FORMAT',
      `unknown feed format "${format}"; use one of: ${FORMATS.join(', ')}`,
      { format, formats: FORMATS },
    );
  return p;
}
