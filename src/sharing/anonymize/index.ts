export { CryptoPAn, commonPrefixBits } from './cryptopan.js';
export { coarsenTimestamp, type ScrubOptions, scrubText } from './scrub.js';
