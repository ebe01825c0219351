import { createHash, randomUUID } from 'node:crypto';

/** Namespace of yojin's deterministic ids (UUIDv5, RFC 9562 §5.5): the same fact always gets the same id. */
export const YOJIN_NAMESPACE = '6f3b0a58-2d7e-4c1a-9b2e-5a8f0c6d7e11';
/** The namespace STIX 2.1 §2.9 prescribes for SCO ids. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

export function uuidv5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `type--uuid` for an object of ours, derived from a stable key (e.g. `indicator:url:http://…`). */
export function stixId(type: string, key: string): string {
  return `${type}--${uuidv5(key, YOJIN_NAMESPACE)}`;
}

/** SCO id per STIX 2.1 §2.9: UUIDv5 over the canonical JSON of the id-contributing properties. */
export function scoId(type: string, contributing: Record<string, unknown>): string {
  const keys = Object.keys(contributing).sort();
  const json = `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(contributing[k])}`).join(',')}}`;
  return `${type}--${uuidv5(json, STIX_SCO_NAMESPACE)}`;
}

export function randomStixId(type: string): string {
  return `${type}--${randomUUID()}`;
}

/** STIX timestamps: RFC 3339 UTC with millisecond precision. */
export function stixTime(d: Date | string | number): string {
  return new Date(d).toISOString();
}
