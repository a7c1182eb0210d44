import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTE_ALIASES,
  FOREIGN_CONTENT_ATTRIBUTES,
  FOREIGN_COST_ATTRIBUTES,
  NON_LEAF_SPAN_VALUES,
  OPERATION_VALUE_ALIASES,
  PROVIDER_VALUE_ALIASES,
  TOTAL_TOKENS_ATTRIBUTES,
} from './aliases.js';
import * as ours from './index.js';

const ourExports = ours as unknown as Readonly<Record<string, unknown>>;
const srcDir = dirname(fileURLToPath(import.meta.url));
const packageDir = dirname(srcDir);
const runtimeFiles = readdirSync(srcDir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));

/** Every module specifier a source file pulls in: static imports, re-exports, side-effect, dynamic, require. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const pattern of [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]?([^'"`)]*)/g,
    /\brequire\s*\(\s*['"`]?([^'"`)]*)/g,
  ]) {
    for (const match of source.matchAll(pattern)) found.push(match[1] ?? '');
  }
  return found;
}

describe('zero runtime dependencies', () => {
  it('has the runtime files we expect', () => {
    expect(runtimeFiles.sort()).toEqual(['ailedger.ts', 'aliases.ts', 'gen-ai.ts', 'index.ts']);
  });

  it('imports nothing but sibling modules of this package', () => {
    for (const file of runtimeFiles) {
      const source = readFileSync(join(srcDir, file), 'utf8');
      expect(source, file).not.toMatch(/\brequire\s*\(/);
      expect(source, file).not.toMatch(/\bimport\s*\(/);
      for (const specifier of specifiers(source)) {
        expect(specifier, `${file} imports ${specifier}`).toMatch(/^\.\/[a-z-]+\.js$/);
        expect(existsSync(join(srcDir, specifier.replace(/\.js$/, '.ts'))), specifier).toBe(true);
      }
    }
  });

  it('detects what it is meant to detect', () => {
    expect(specifiers("import { x } from '@opentelemetry/api';")).toEqual(['@opentelemetry/api']);
    expect(specifiers("import 'node:fs';")).toEqual(['node:fs']);
    expect(specifiers("const m = require('node:fs');")).toEqual(['node:fs']);
    expect(specifiers("export * from './gen-ai.js';")).toEqual(['./gen-ai.js']);
  });

  // The build output exists after `npm run build`; `npm test` builds first.
  const builtFiles = ['dist/index.js', 'dist/index.cjs'].map((file) => join(packageDir, file));
  it.skipIf(!builtFiles.every((file) => existsSync(file)))(
    'bundles into files that load nothing else',
    () => {
      for (const file of builtFiles) {
        const source = readFileSync(file, 'utf8');
        expect(source, file).not.toMatch(/\brequire\s*\(/);
        expect(source, file).not.toMatch(/^\s*import\s/m);
        expect(source, file).not.toMatch(/\bfrom\s*['"]/);
      }
    },
  );
});

describe('README', () => {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const documented = (name: string) => readme.includes('`' + name + '`');

  it('documents every exported string constant with its value on the same line', () => {
    const lines = readme.split('\n');
    const missing = Object.entries(ourExports)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .filter(
        ([name, value]) =>
          !lines.some((line) => line.includes(`\`${name}\``) && line.includes(`\`${value}\``)),
      )
      .map(([name, value]) => `${name} = ${value}`);
    expect(missing).toEqual([]);
  });

  it('documents every exported table, list and function by name', () => {
    const missing = Object.entries(ourExports)
      .filter(([, value]) => typeof value !== 'string')
      .map(([name]) => name)
      .filter((name) => !documented(name));
    expect(missing).toEqual([]);
  });

  it('documents every alias and foreign name the tables hold', () => {
    const names = [
      ...ATTRIBUTE_ALIASES.map((a) => a.from),
      ...TOTAL_TOKENS_ATTRIBUTES.map((a) => a.name),
      ...FOREIGN_COST_ATTRIBUTES.map((a) => a.name),
      ...FOREIGN_CONTENT_ATTRIBUTES.map((a) => a.name),
      ...Object.keys(PROVIDER_VALUE_ALIASES),
      ...Object.values(NON_LEAF_SPAN_VALUES).flat(),
      ...Object.values(OPERATION_VALUE_ALIASES).flatMap((table) => Object.keys(table)),
    ];
    expect(names.filter((name) => !documented(name))).toEqual([]);
  });
});
