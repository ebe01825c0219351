import type { Config } from '../config/index.js';
import { YojinError } from '../errors/index.js';
import { actionRecords, type PolicyRdata } from './actions.js';
import { zoneOrigin } from './names.js';

/** Everything about the zone that does not come from the policy: names, timers, action records. */
export interface ZoneSettings {
  origin: string;
  ttl: number;
  ns: string;
  contact: string;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
  /** Records per action rank (see ACTION_RANK). */
  records: PolicyRdata[][];
}

const abs = (n: string) => n.trim().toLowerCase().replace(/\.+$/, '');

export function zoneSettings(config: Pick<Config, 'rpz'>, zone?: string): ZoneSettings {
  const r = config.rpz;
  let records: PolicyRdata[][];
  try {
    records = actionRecords({ warningHost: r.warning_host, warningAddresses: r.warning_addresses });
  } catch {
    throw new YojinError(
      'CONFIG_INVALID_VALUE',
      `rpz.warning_addresses must be IPv4/IPv6 addresses (got ${JSON.stringify(r.warning_addresses)})`,
      { problems: [{ key: 'rpz.warning_addresses', problem: 'is not a list of addresses' }] },
    );
  }
  const origin = zoneOrigin(zone ?? r.zone);
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(origin)) {
    throw new YojinError(
      'REQUEST_INVALID',
      `"${zone ?? r.zone}" is not a zone name (use e.g. rpz.example.jp)`,
    );
  }
  return {
    origin,
    ttl: r.ttl,
    ns: abs(r.ns),
    contact: abs(r.contact),
    refresh: r.soa_refresh,
    retry: r.soa_retry,
    expire: r.soa_expire,
    minimum: r.soa_minimum,
    records,
  };
}

/** SOA serials are 32-bit (RFC 1982); change-log serials past 2^32 wrap, which serial arithmetic allows. */
export function soaSerial(serial: number): number {
  return serial % 0x1_0000_0000;
}
