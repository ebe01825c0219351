/**
 * RPZ publication: the DNS policy (src/policy) as a Response Policy Zone (draft-vixie-dnsop-dns-rpz),
 * exported as a zone file or served by an authoritative primary (AXFR, IXFR from the change log,
 * NOTIFY, TSIG) to the ISP's existing resolvers. See docs/rpz.md.
 */
export { ACTION_RANK, actionRecords } from './actions.js';
export { registerRpz } from './cli.js';
export { rpzConfigSchema } from './config.js';
export { type ExportReport, exportZone, resolveOwners } from './export.js';
export { entryOwners, rpzIpOwner, zoneOrigin } from './names.js';
export { RpzPrimary } from './server.js';
export { type RpzPublisher, rpzService, startRpzPublisher } from './service.js';
export { type ZoneSettings, zoneSettings } from './settings.js';
export { type ZoneDelta, ZoneState } from './state.js';
export { signMessage, splitTsig, type TsigKey, tsigKeyFrom, verifyMessage } from './tsig.js';
