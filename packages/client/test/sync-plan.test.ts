// The sync planner (src/sync/plan.ts) and filters, pure. A property test over random pairs of
// trees (a seeded generator, so a failure names its seed): applying the plan to a model of
// the destination, phase by phase, never writes into a missing folder nor removes a folder
// that still holds something, makes the destination equal the source under the flags, and a
// second plan has nothing left to do.
import { describe, expect, it } from 'vitest';
import {
  type FilterRule,
  makeIncluded,
  type PlanItem,
  type PlanOptions,
  pathFilter,
  planSync,
  type SyncEntry,
  type SyncTree,
  summarize,
} from '../src/index.js';

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['a', 'b.log', 'c', 'd.txt'];

function randomTree(next: () => number, complete = true): SyncTree {
  const entries = new Map<string, SyncEntry>();
  const grow = (folder: string, depth: number) => {
    for (const name of NAMES) {
      if (next() < 0.45) continue;
      const path = folder === '' ? name : `${folder}/${name}`;
      const roll = next();
      if (roll < 0.3 && depth < 3) {
        entries.set(path, { path, type: 'dir', size: 0, mtime: 1, mode: 0o755 });
        grow(path, depth + 1);
      } else if (roll < 0.38) {
        // Inside the tree, two texts (so --links sees changes), or leading out of it.
        const target = ['d.txt', 'a', '../out'][Math.floor(next() * 3)]!;
        entries.set(path, { path, type: 'symlink', size: 3, mtime: 1, target });
      } else {
        const size = Math.floor(next() * 3);
        const mtime = 1 + Math.floor(next() * 2);
        const content = Math.floor(next() * 2);
        entries.set(path, {
          path,
          type: 'file',
          size,
          mtime,
          mode: next() < 0.8 ? 0o644 : 0o600,
          digest: `${size}:${content}`.padEnd(64, '0'),
        });
      }
    }
  };
  grow('', 0);
  return { entries, complete };
}

const RULES: FilterRule[] = [
  { kind: 'exclude', pattern: '*.log' },
  { kind: 'include', pattern: 'a/b.log' },
  { kind: 'exclude', pattern: 'c/' },
  { kind: 'exclude', pattern: '/d.txt' },
];

const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf('/')));

/** Applies a plan to a copy of `target` as the executor would, checking each step's order. */
function apply(plan: ReturnType<typeof planSync>, target: SyncTree): Map<string, SyncEntry> {
  const dst = new Map(target.entries);
  const folderThere = (path: string) => path === '' || dst.get(path)?.type === 'dir';
  const copy = (item: PlanItem) => {
    if (!folderThere(parentOf(item.path))) throw new Error(`no folder for ${item.path}`);
    const there = dst.get(item.path);
    if (item.action === 'create' && there !== undefined) throw new Error(`${item.path} exists`);
    if (item.type === 'dir' && there !== undefined) throw new Error(`${item.path} in the way`);
    if (item.type === 'file' && there !== undefined && there.type !== 'file') {
      throw new Error(`${item.path}: a ${there.type} is in the way`);
    }
    dst.set(item.path, { ...item.source!, path: item.path });
  };
  plan.copy.forEach(copy);
  if (plan.deleteRefused === undefined) {
    for (const item of plan.remove) {
      if (!dst.has(item.path)) throw new Error(`deleting ${item.path}, which is not there`);
      const prefix = `${item.path}/`;
      if (item.type === 'dir' && [...dst.keys()].some((p) => p.startsWith(prefix))) {
        throw new Error(`removing ${item.path}, which is not empty`);
      }
      dst.delete(item.path);
    }
    plan.after.forEach(copy);
  }
  return dst;
}

function check(seed: number, options: PlanOptions, rules: readonly FilterRule[]) {
  const next = random(seed);
  const source = randomTree(next);
  const target = randomTree(next);
  const filter = pathFilter(rules);
  const included = makeIncluded(filter);
  const flags = { ...options, filter };
  const plan = planSync(source, target, flags);
  const dst = apply(plan, target);
  const takes = (e: SyncEntry) => included(e.path, e.type === 'dir');
  const linkAbove = (path: string) => {
    for (let p = path; p !== ''; p = parentOf(p)) {
      const s = source.entries.get(p);
      if (s !== undefined && (s.type === 'symlink' || s.type === 'other')) return true;
    }
    return false;
  };
  const skippedType = new Set(plan.skipped.filter((s) => s.reason === 'type').map((s) => s.path));
  const conflictAt = (path: string) => {
    for (let p = path; p !== ''; p = parentOf(p)) if (skippedType.has(p)) return p;
    return undefined;
  };
  /** A destination entry that is, or holds, an excluded entry: --delete cannot clear it. */
  const holdsExcluded = (folder: string) =>
    [...target.entries.values()].some(
      (e) => (e.path === folder || e.path.startsWith(`${folder}/`)) && !takes(e),
    );
  /** --links: a link the plan makes (not leading out, not skipped) ends up with its text. */
  const linkMade = (entry: SyncEntry) =>
    options.links === 'recreate' &&
    entry.type === 'symlink' &&
    !plan.skipped.some((skip) => skip.path === entry.path);
  // Every source file and folder the flags take is at the destination, as it is at the source.
  for (const entry of source.entries.values()) {
    if (!takes(entry) || entry.type === 'other') continue;
    if (entry.type === 'symlink' && !linkMade(entry)) continue;
    const conflict = conflictAt(entry.path);
    if (conflict !== undefined) {
      // Left alone: without --delete nothing may clear the way, with it only a kept folder.
      if (options.delete === true) expect(holdsExcluded(conflict), `seed ${seed}`).toBe(true);
      continue;
    }
    const there = dst.get(entry.path);
    expect(there?.type, `seed ${seed}: ${entry.path}`).toBe(entry.type);
    if (entry.type === 'file') {
      expect(there?.size).toBe(entry.size);
      if (options.checksum === true) expect(there?.digest).toBe(entry.digest);
      else expect(there?.mtime).toBe(entry.mtime);
    }
    if (entry.type === 'symlink') expect(there?.target, `seed ${seed}`).toBe(entry.target);
  }
  // With --delete, the destination holds nothing else the flags take.
  if (options.delete === true) {
    for (const entry of dst.values()) {
      if (!takes(entry) || linkAbove(entry.path) || skippedType.has(entry.path)) continue;
      const own = source.entries.get(entry.path);
      const keptFolder =
        entry.type === 'dir' && [...dst.keys()].some((p) => p.startsWith(`${entry.path}/`));
      if (own === undefined && keptFolder) continue; // holds excluded entries only
      expect(own?.type, `seed ${seed}: extra ${entry.path}`).toBe(entry.type);
    }
  }
  // Excluded destination entries are never touched.
  for (const entry of target.entries.values()) {
    if (!takes(entry)) expect(dst.get(entry.path), `seed ${seed}: ${entry.path}`).toEqual(entry);
  }
  const again = planSync(source, { entries: dst, complete: true }, flags);
  expect([...again.copy, ...again.after, ...again.remove], `seed ${seed}`).toEqual([]);
  const summary = summarize(plan);
  expect(summary.created + summary.updated).toBe(plan.copy.length + plan.after.length);
}

describe('planSync: applying the plan makes DST equal SRC, and a second plan is empty', () => {
  const variants: [string, PlanOptions, FilterRule[]][] = [
    ['no flags', {}, []],
    ['--delete', { delete: true }, []],
    ['--checksum', { checksum: true }, []],
    ['--delete --checksum -p', { delete: true, checksum: true, preserve: true }, []],
    ['--delete with excludes and includes', { delete: true }, RULES],
    ['excludes without --delete', {}, RULES],
    ['--links --delete', { delete: true, links: 'recreate' }, []],
    ['--links with excludes', { links: 'recreate' }, RULES],
  ];
  it.each(variants)('%s, 400 random pairs of trees', (_name, options, rules) => {
    for (let seed = 1; seed <= 400; seed++) check(seed, options, rules);
  });
});

describe('planSync: reasons and safety', () => {
  const tree = (...entries: SyncEntry[]): SyncTree => ({
    entries: new Map(entries.map((e) => [e.path, e])),
    complete: true,
  });
  const file = (path: string, size: number, mtime: number, digest?: string): SyncEntry => ({
    path,
    type: 'file',
    size,
    mtime,
    ...(digest === undefined ? {} : { digest }),
  });

  it('names each reason: missing, size, mtime, digest, and same', () => {
    const d = (c: string) => c.repeat(64);
    const source = tree(
      file('new', 1, 1),
      file('grown', 2, 1),
      file('touched', 1, 2),
      file('same', 1, 1, d('a')),
    );
    const target = tree(
      file('grown', 1, 1),
      file('touched', 1, 1),
      file('same', 1, 1, d('b')),
      file('old', 1, 1),
    );
    const plan = planSync(source, target, { delete: true });
    const reasons = (items: PlanItem[]) => items.map((i) => `${i.action} ${i.path} ${i.reason}`);
    expect(reasons(plan.copy)).toEqual([
      'update grown size',
      'create new missing',
      'update touched mtime',
    ]);
    expect(reasons(plan.remove)).toEqual(['delete old missing']);
    expect(reasons(plan.unchanged)).toEqual(['unchanged same same']);
    const checksum = planSync(source, target, { checksum: true });
    expect(reasons(checksum.copy)).toContain('update same digest');
    expect(reasons(checksum.copy)).toContain('update touched digest'); // no digests: copied
  });

  it('deletes nothing when the source tree is incomplete', () => {
    const source = { ...tree(file('a', 1, 1)), complete: false };
    const plan = planSync(source, tree(file('b', 1, 1)), { delete: true });
    expect(plan.remove.length === 0 || plan.deleteRefused !== undefined).toBe(true);
    expect(plan.deleteRefused).toMatch(/incomplete/);
    expect(summarize(plan).deleted).toBe(0);
  });

  it('leaves what is below a source symlink alone, even with --delete', () => {
    const source = tree({ path: 'link', type: 'symlink', size: 1, mtime: 1 });
    const target = tree({ path: 'link', type: 'dir', size: 0, mtime: 1 }, file('link/x', 1, 1));
    const plan = planSync(source, target, { delete: true });
    expect(plan.remove).toEqual([]);
    expect(plan.skipped).toEqual([{ path: 'link', reason: 'symlink' }]);
  });
});

describe('planSync --links: a link compared by its text', () => {
  const tree = (...entries: SyncEntry[]): SyncTree => ({
    entries: new Map(entries.map((e) => [e.path, e])),
    complete: true,
  });
  const link = (path: string, target: string, extra: Partial<SyncEntry> = {}): SyncEntry => ({
    path,
    type: 'symlink',
    size: target.length,
    mtime: 1,
    target,
    ...extra,
  });
  const file = (path: string): SyncEntry => ({ path, type: 'file', size: 1, mtime: 1 });
  const reasons = (items: PlanItem[]) => items.map((i) => `${i.action} ${i.path} ${i.reason}`);
  const source = tree(
    link('new', 'a'),
    link('same', 'a'),
    link('moved', 'b'),
    link('out', '../x'),
    link('abs', '/etc'),
    link('loop', '..', { unfollowed: 'loop' }),
    link('was-file', 'a'),
  );
  const target = tree(link('same', 'a'), link('moved', 'a'), file('was-file'), link('extra', 'a'));

  it('creates the missing, updates one whose text differs, leaves the same, skips those outside', () => {
    const plan = planSync(source, target, { links: 'recreate', delete: true });
    expect(reasons(plan.copy)).toEqual(['update moved target', 'create new missing']);
    expect(reasons(plan.unchanged)).toEqual(['unchanged same same']);
    expect(reasons(plan.remove)).toEqual(['delete extra missing', 'delete was-file type']);
    expect(reasons(plan.after)).toEqual(['update was-file type']);
    expect(plan.skipped).toEqual([
      { path: 'abs', reason: 'outside-tree', target: '/etc' },
      { path: 'loop', reason: 'loop', target: '..' },
      { path: 'out', reason: 'outside-tree', target: '../x' },
    ]);
    expect(planSync(source, target, { links: 'recreate', noClobber: true }).skipped).toContainEqual(
      { path: 'moved', reason: 'exists' },
    );
  });

  it('without --links skips every link and names its text', () => {
    const plan = planSync(source, tree(), {});
    expect(plan.copy).toEqual([]);
    expect(plan.skipped).toContainEqual({ path: 'new', reason: 'symlink', target: 'a' });
    expect(plan.skipped).toContainEqual({ path: 'loop', reason: 'loop', target: '..' });
  });
});

describe('filters, in rsync order (first match decides)', () => {
  it.each([
    [[{ kind: 'exclude', pattern: '*.log' }], 'x/y.log', false, false],
    [[{ kind: 'exclude', pattern: '*.log' }], 'x/y.txt', false, true],
    [
      [
        { kind: 'include', pattern: 'keep.log' },
        { kind: 'exclude', pattern: '*.log' },
      ],
      'a/keep.log',
      false,
      true,
    ],
    [
      [
        { kind: 'exclude', pattern: '*.log' },
        { kind: 'include', pattern: 'keep.log' },
      ],
      'a/keep.log',
      false,
      false,
    ],
    [[{ kind: 'exclude', pattern: 'cache/' }], 'a/cache', true, false],
    [[{ kind: 'exclude', pattern: 'cache/' }], 'a/cache', false, true],
    [[{ kind: 'exclude', pattern: '/top.txt' }], 'top.txt', false, false],
    [[{ kind: 'exclude', pattern: '/top.txt' }], 'a/top.txt', false, true],
    [[{ kind: 'exclude', pattern: 'a/**/z' }], 'a/z', false, false],
    [[{ kind: 'exclude', pattern: 'a/**/z' }], 'a/b/c/z', false, false],
    [[{ kind: 'exclude', pattern: 'a/*/z' }], 'a/b/c/z', false, true],
    [[{ kind: 'exclude', pattern: 'f?[0-9].txt' }], 'fa1.txt', false, false],
  ] as [FilterRule[], string, boolean, boolean][])(
    '%j: %s (folder %s) → %s',
    (rules, path, folder, want) => {
      expect(pathFilter(rules)(path, folder)).toBe(want);
    },
  );

  it('excludes what is inside an excluded folder, whatever a later rule says', () => {
    const included = makeIncluded(
      pathFilter([
        { kind: 'exclude', pattern: 'build/' },
        { kind: 'include', pattern: '*.keep' },
      ]),
    );
    expect(included('build/x.keep', false)).toBe(false);
    expect(included('src/x.keep', false)).toBe(true);
  });
});
