// A Jest reporter that writes what `jest --json` would print to
// $JEST_RESULTS_DIR/<package name without scope>.json, one file per project. scripts/test.mjs
// passes it to every project (`--reporters=default --reporters=<this file>`), so the per-project
// path needs no change to any project's own scripts.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

function projectName(rootDir) {
  let dir = rootDir;
  for (let i = 0; i < 5 && dir; i += 1) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      try {
        const name = JSON.parse(fs.readFileSync(file, 'utf8')).name;
        if (name) return name;
      } catch {
        /* keep looking */
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.basename(rootDir);
}

function format(results) {
  try {
    return require('@jest/test-result').formatTestResults(results);
  } catch {
    return results;
  }
}

class JestResultsReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.JEST_RESULTS_DIR;
    if (!dir) return;
    const name = projectName(this.globalConfig.rootDir);
    const file = path.join(dir, `${name.replace(/^@[^/]+\//, '').replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
    fs.mkdirSync(dir, { recursive: true });
    const out = format(results);
    out.project = name;
    out.rootDir = this.globalConfig.rootDir;
    fs.writeFileSync(file, JSON.stringify(out));
  }

  getLastError() {
    return undefined;
  }
}

module.exports = JestResultsReporter;
