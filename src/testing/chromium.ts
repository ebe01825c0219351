/**
 * Real Chromium for UI tests: Debian's /usr/bin/chromium (or YOJIN_CHROMIUM) driven by playwright-core,
 * with the flags this sandbox needs (no sandbox as root, no GPU, no background connections to Google).
 */
export const CHROMIUM = process.env.YOJIN_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
