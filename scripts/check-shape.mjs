#!/usr/bin/env node
// The shape rules of issue 13, checked on every `npm test` so they stay true: no source file
// in packages/*/src or apps/*/src over 500 lines, no import cycle between source files
// (type imports count), and no package that imports from apps/. Prints each breach; exits 1.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const MAX_LINES = 500;
const breaches = [];

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const groups = [];
for (const top of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, top))) {
    const src = join(root, top, name, 'src');
    try {
      if (statSync(src).isDirectory()) groups.push({ top, src, files: sourceFiles(src) });
    } catch {}
  }
}

const importRe =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const graph = new Map();
for (const { top, files } of groups) {
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_LINES)
      breaches.push(`${relative(root, file)}: ${lines} lines (max ${MAX_LINES})`);
    const edges = [];
    for (const match of text.matchAll(importRe)) {
      const spec = match[1] ?? match[2];
      if (
        top === 'packages' &&
        (spec.includes('/apps/') ||
          /^@cftp\/cli(\/|$)/.test(spec) ||
          /^@cftp\/(e2e|hostile|bench|testkit)/.test(spec))
      ) {
        breaches.push(`${relative(root, file)}: a package imports from apps (${spec})`);
      }
      if (!spec.startsWith('.')) continue;
      const base = resolve(dirname(file), spec).replace(/\.js$/, '');
      const target = ['.ts', '.tsx', '/index.ts']
        .map((ext) => base + ext)
        .find((p) => files.includes(p));
      if (target) edges.push(target);
    }
    graph.set(file, edges);
  }
}

// Depth-first search for back edges; each cycle is reported once, by its smallest member.
const state = new Map();
const seen = new Set();
function visit(file, stack) {
  state.set(file, 'open');
  stack.push(file);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === 'open') {
      const cycle = stack.slice(stack.indexOf(next)).map((p) => relative(root, p));
      const key = [...cycle].sort().join('|');
      if (!seen.has(key)) {
        seen.add(key);
        breaches.push(`import cycle: ${[...cycle, cycle[0]].join(' -> ')}`);
      }
    } else if (!state.has(next)) visit(next, stack);
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of graph.keys()) if (!state.has(file)) visit(file, []);

for (const breach of breaches) console.error(`shape: ${breach}`);
if (breaches.length > 0) process.exit(1);
console.log(
  `shape: ${graph.size} source files, none over ${MAX_LINES} lines, no import cycles, no package imports from apps/`,
);
