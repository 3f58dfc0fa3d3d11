import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, with a fresh profile of Playwright's: no sandbox (tests run as
 * root), no GPU, /tmp instead of a small /dev/shm, and nothing of its own on the network (updates,
 * sync, QUIC), so a test sees only the requests its page makes.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
