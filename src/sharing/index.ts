/** The sharing hub (DESIGN §4 X): STIX 2.1, TAXII 2.1 server and client, automatic TLP, anonymisation, similar cases. */

export { CryptoPAn, coarsenTimestamp, scrubText } from './anonymize/index.js';
export { sharingRoutes } from './api.js';
export { registerShare } from './cli.js';
export { addPartner, listPartners, pullPartner, pushPartner } from './client/sync.js';
export { TaxiiClient } from './client/taxii-client.js';
export { sharingConfigSchema } from './config.js';
export { type Hub, openHub } from './hub.js';
export { addMember, exportCollection, featuresFromInput, findSimilar, syncAll } from './operations.js';
export { addCollection, addOrg, findCollection, grant, listCollections } from './orgs.js';
export { indicatorBundleObjects, publishIndicators } from './publish.js';
export { sharingService } from './service.js';
export { caseFeatures, indexReports } from './similar/index.js';
export * as stix from './stix/index.js';
