/**
 * Reads a delivery status notification (RFC 3464, multipart/report; report-type=delivery-status):
 * which message bounced (the Message-ID in the returned headers, or Original-Envelope-Id) and why.
 * Only "Action: failed" reports are bounces; delayed/delivered/relayed ones are not.
 */
export interface Dsn {
  messageId: string | null;
  action: string | null;
  status: string | null;
  recipient: string | null;
  diagnostic: string | null;
  isBounce: boolean;
}

export function parseDsn(raw: string): Dsn {
  const text = raw.replace(/\r\n/g, '\n');
  const unfold = text.replace(/\n[ \t]+/g, ' ');
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(unfold);
    return m ? m[1].trim() : null;
  };
  // The returned original headers (text/rfc822-headers or message/rfc822 part) carry the Message-ID;
  // the DSN's own Message-ID is at the very top, so look after the delivery-status part starts.
  const statusAt = unfold.search(/^content-type:\s*message\/delivery-status/im);
  const after = statusAt >= 0 ? unfold.slice(statusAt) : unfold;
  const mid = /^Message-ID:\s*(<[^>]+>)/im.exec(after)?.[1] ?? null;
  const envid = field('Original-Envelope-Id');
  const action = field('Action')?.toLowerCase() ?? null;
  const recipient = field('Final-Recipient')?.replace(/^rfc822;\s*/i, '') ?? null;
  return {
    messageId: mid ?? (envid ? `<${envid.replace(/^<|>$/g, '')}>` : null),
    action,
    status: field('Status'),
    recipient,
    diagnostic: field('Diagnostic-Code'),
    isBounce: action === 'failed',
  };
}
