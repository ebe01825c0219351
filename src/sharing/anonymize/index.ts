export { CryptoPAn, commonPrefixBits } from './cryptopan.js';
export { scrubText, coarsenTimestamp, type ScrubOptions } from './scrub.js';
