// The order in which `npm test` hands files to its two workers. vitest runs the projects one
// after another (by name) and, inside a project, the largest files first. Here the projects
// whose files run longest go first: s3 (the Ceph store, started before the build, is up by
// then), then e2e and hostile, which start real `cftp` processes, then tui (its App tests
// take ~13 s in one file); the short unit-test projects come last, where they fill both
// workers to the end instead of one long file running alone.
// Files of a project stay together, so the `isolate: false` projects still share a worker's
// module cache.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const FIRST = ['s3', 'e2e', 'hostile', 'tui'];

function rank(name: string): number {
  const index = FIRST.indexOf(name);
  return index === -1 ? FIRST.length : index;
}

export default class LongProjectsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: inside a rank, vitest's own order is kept.
    return sorted.sort((a, b) => rank(a.project.name) - rank(b.project.name));
  }
}
