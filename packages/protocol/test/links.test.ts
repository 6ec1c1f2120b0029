// Where a symlink's text leads (feature `links`, docs/protocol.md §6.9): read lexically from
// the folder that holds the link; undefined once it leaves the top.
import { describe, expect, it } from 'vitest';
import { linkDestination } from '../src/index.js';

describe('linkDestination', () => {
  it.each([
    ['flink', 'a.txt', 'a.txt'],
    ['dlink', 'dir', 'dir'],
    ['dir/sub/up', '..', 'dir'],
    ['dir/sub/up', '../..', ''],
    ['dir/x', './y/../z', 'dir/z'],
    ['a//b', 'c/', 'a/c'],
  ])('%s -> %s leads to %j', (path, target, leads) => {
    expect(linkDestination(path, target)).toBe(leads);
  });

  it.each([
    ['out', '../etc/passwd'],
    ['dir/sub/up', '../../..'],
    ['abs', '/etc/passwd'],
    ['a/b', '../../x/../a'],
  ])('%s -> %s leaves the top', (path, target) => {
    expect(linkDestination(path, target)).toBeUndefined();
  });
});
