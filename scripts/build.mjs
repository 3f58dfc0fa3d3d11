#!/usr/bin/env node
// `npm run build`: type-checks the whole tree, then compiles every lib's and service's `src/` to
// JavaScript with the same swc settings the development loader uses (.swcrc), into `dist/` laid
// out like the repository (dist/libs/<lib>/src/*.js, dist/services/<svc>/src/*.js, each with its
// package.json, libs' `main` pointing at the compiled index). Images copy `dist/` over the
// sources, so what ships is compiled output that passed `tsc`: a type error cannot ship.
// A project whose package.json says `"testOnly": true` (libs/testing: harnesses, fakes' drivers)
// is not built, so no image carries it.
//
// Usage: node scripts/build.mjs [--out DIR] [--no-typecheck]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
const swc = require('@swc/core');

const args = process.argv.slice(2);
const outArg = args.indexOf('--out');
const OUT = path.resolve(outArg >= 0 ? args[outArg + 1] : path.join(ROOT, 'dist'));

if (!args.includes('--no-typecheck')) {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (tsc.status !== 0) {
    console.error('[build] tsc found errors: nothing was built');
    process.exit(1);
  }
}

const swcrc = JSON.parse(readFileSync(path.join(ROOT, '.swcrc'), 'utf8'));
delete swcrc.$schema;

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) yield* sources(file);
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) yield file;
  }
}

rmSync(OUT, { recursive: true, force: true });
let files = 0;
for (const group of ['libs', 'services']) {
  for (const project of readdirSync(path.join(ROOT, group))) {
    const projectDir = path.join(ROOT, group, project);
    const srcDir = path.join(projectDir, 'src');
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(path.join(projectDir, 'package.json'), 'utf8'));
      statSync(srcDir);
    } catch {
      continue; // not a TypeScript project (admin-web is static files)
    }
    if (manifest.testOnly) continue;
    for (const file of sources(srcDir)) {
      const rel = path.relative(ROOT, file);
      const target = path.join(OUT, rel.replace(/\.ts$/, '.js'));
      const { code, map } = swc.transformFileSync(file, {
        ...swcrc,
        swcrc: false,
        filename: file,
        sourceFileName: path.relative(path.dirname(target), file),
      });
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, map ? `${code}\n//# sourceMappingURL=${path.basename(target)}.map` : code);
      if (map) writeFileSync(`${target}.map`, map);
      files += 1;
    }
    if (manifest.main?.endsWith('.ts')) manifest.main = manifest.main.replace(/\.ts$/, '.js');
    delete manifest.types;
    writeFileSync(path.join(OUT, group, project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }
}
console.log(`[build] ${files} files compiled into ${path.relative(ROOT, OUT) || OUT}`);
