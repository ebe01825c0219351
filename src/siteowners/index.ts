export { siteownersConfigSchema } from './config.js';
export { type ContactLookup, findContact, runSiteOwners, type SiteReport } from './cycle.js';
export { abuseEmails, rdapAbuseContact } from './rdap.js';
export { emailContact, parseSecurityTxt, type SecurityTxt } from './securitytxt.js';
export { type ReportedUrl, xarfEmail, xarfYaml } from './xarf.js';
