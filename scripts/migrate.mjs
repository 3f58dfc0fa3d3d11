#!/usr/bin/env node
// `npm run migrate`: runs every service's migrate step — its database migrations, the JetStream
// streams and its durable consumers — then exits.
//
// Each service runs its migrate step while it boots (MIGRATE_ON_BOOT; under an advisory lock, so
// several instances can start at once), so this starts them the way `npm start` does
// (infrastructure included), waits until each reports /ready (= migrate step done), and stops them
// again. A deploy runs each image once with MIGRATE_ONLY=true instead (the step alone, then exit).
// Exit status 0 when every service got ready. Extra arguments name services, as for npm start.
process.argv.splice(2, 0, '--exit-when-ready');
await import('./start.mjs');
