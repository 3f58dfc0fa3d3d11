#!/usr/bin/env node
// `npm run migrate`: applies every service's database migrations, then exits.
//
// Each service applies its own migrations while it boots (under an advisory lock, so several
// instances can start at once), so this starts them the way `npm start` does (infrastructure
// included), waits until each reports /ready (= migrations applied), and stops them again.
// Exit status 0 when every service got ready. Extra arguments name services, as for npm start.
process.argv.splice(2, 0, '--exit-when-ready');
await import('./start.mjs');
