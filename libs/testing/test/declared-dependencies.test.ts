import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../src';

// A package the code imports but package.json does not name still works here while another
// package happens to pull it into node_modules (yaml with @opentelemetry/sdk-node, express with
// @nestjs/platform-express, @jest/test-result with jest); an upgrade that drops it, or
// `npm ci --omit=dev` in the image, breaks the import far from the change that caused it.

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

interface Import {
  file: string;
  pkg: string;
  /** `import type …` (or only `type` names): erased by the compiler, so never loaded at run time. */
  typeOnly: boolean;
}

const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist']);

function* codeFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.')) continue;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* codeFiles(file);
    else if (CODE.test(entry.name) && !entry.name.endsWith('.d.ts')) yield file;
  }
}

/** `@scope/name/deep` → `@scope/name`, `name/deep` → `name`; null for relative paths and built-ins. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const pkg = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(pkg) ? null : pkg;
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: Import[] = [];
  const add = (specifier: ts.Node | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const pkg = packageOf(specifier.text);
    if (pkg) found.push({ file, pkg, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const onlyTypeNames =
        !!clause &&
        !clause.name &&
        !!bindings &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, !!clause?.isTypeOnly || onlyTypeNames);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(arg.literal, true);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const dynamic = callee.kind === ts.SyntaxKind.ImportKeyword;
      const required = ts.isIdentifier(callee) && callee.text === 'require';
      if (dynamic || required) add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Code under src/ of a project the build ships (not `testOnly`), which runs with production deps only. */
function shipped(root: string, file: string): boolean {
  const [group, project, folder] = path.relative(root, file).split(path.sep);
  if ((group !== 'libs' && group !== 'services') || folder !== 'src') return false;
  if (/\.spec\.[cm]?[jt]s$/.test(file)) return false;
  const manifest = JSON.parse(readFileSync(path.join(root, group, project, 'package.json'), 'utf8'));
  return !manifest.testOnly;
}

/** Each import of a package the root package.json does not declare for where the code runs. */
function undeclaredImports(root: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
  const runtime = new Set(Object.keys(manifest.dependencies ?? {}));
  const anywhere = new Set([...runtime, ...Object.keys(manifest.devDependencies ?? {})]);
  const typesDeclared = (pkg: string) => anywhere.has(`@types/${pkg.replace(/^@(.*)\//, '$1__')}`);
  const problems: string[] = [];
  for (const top of ['libs', 'services', 'scripts', 'bench']) {
    let files: string[];
    try {
      files = [...codeFiles(path.join(root, top))];
    } catch {
      continue;
    }
    for (const file of files) {
      const inImage = shipped(root, file);
      for (const { pkg, typeOnly } of importsOf(file)) {
        if (pkg.startsWith('@switchboard/')) continue;
        const where = path.relative(root, file);
        if (typeOnly) {
          if (!anywhere.has(pkg) && !typesDeclared(pkg)) problems.push(`${where}: ${pkg} (types) is not declared`);
        } else if (inImage) {
          if (!runtime.has(pkg)) problems.push(`${where}: ${pkg} is not in dependencies (the image omits dev)`);
        } else if (!anywhere.has(pkg)) {
          problems.push(`${where}: ${pkg} is not declared`);
        }
      }
    }
  }
  return [...new Set(problems)].sort();
}

describe('every package the code imports is declared in package.json', () => {
  it('in this repository: devDependencies for tests and scripts, dependencies for what the image runs', () => {
    expect(undeclaredImports(REPO_ROOT)).toEqual([]);
  });

  describe('the check itself notices', () => {
    let root: string;
    const write = (file: string, text: string) => {
      const full = path.join(root, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, text);
    };

    beforeEach(() => {
      root = mkdtempSync(path.join(tmpdir(), 'sb-declared-'));
      write(
        'package.json',
        JSON.stringify({ dependencies: { pg: '1' }, devDependencies: { jest: '1', '@types/express': '1' } }),
      );
      write('services/svc/package.json', '{}');
      write('libs/kit/package.json', '{"testOnly": true}');
    });

    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('a test that imports a package nobody declared', () => {
      write('libs/kit/test/a.test.ts', "import { parse } from 'yaml';\nimport fs from 'node:fs';\n");
      expect(undeclaredImports(root)).toEqual(['libs/kit/test/a.test.ts: yaml is not declared']);
    });

    it('a script that requires or imports one at run time', () => {
      write('scripts/a.cjs', "require('left-pad/lib');\n");
      write('scripts/b.mjs', "await import('@scope/thing/deep');\n");
      expect(undeclaredImports(root)).toEqual([
        'scripts/a.cjs: left-pad is not declared',
        'scripts/b.mjs: @scope/thing is not declared',
      ]);
    });

    it('shipped code that loads a devDependency or a package only its types are declared for', () => {
      write('services/svc/src/a.ts', "import jest from 'jest';\nimport express from 'express';\n");
      expect(undeclaredImports(root)).toEqual([
        'services/svc/src/a.ts: express is not in dependencies (the image omits dev)',
        'services/svc/src/a.ts: jest is not in dependencies (the image omits dev)',
      ]);
    });

    it('but not type-only imports answered by @types, workspace packages, built-ins or a testOnly lib', () => {
      write(
        'services/svc/src/a.ts',
        "import type { Request } from 'express';\nimport { type Response } from 'express';\n",
      );
      write(
        'services/svc/src/b.ts',
        "import { x } from '@switchboard/kit';\nimport { Pool } from 'pg';\nimport 'fs';\n",
      );
      write('libs/kit/src/c.ts', "import { expect } from 'jest';\n");
      expect(undeclaredImports(root)).toEqual([]);
    });
  });
});
