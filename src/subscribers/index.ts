export { type ConsentChange, consentMeasure, setConsent } from './consent.js';
export {
  checkSubscriber,
  importSubscribers,
  type SubscriberImportReport,
  type SubscriberInput,
  subscribersFromCsv,
} from './import.js';
export { type SubscriberView, viewSubscriber } from './view.js';
