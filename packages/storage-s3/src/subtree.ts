// A whole subtree on S3 for `tree` (docs/protocol.md §6.10, Storage.subtree): ListObjectsV2
// without a delimiter, so a page of 1000 keys covers whatever folders they are in, instead
// of a listing (and a LIST) per folder. Keys come in UTF-8 byte order, so everything under
// `a/` is contiguous and comes after `a/` itself: a folder's line can go before what it holds
// and its subtree ends before the next sibling's, depth first as §6.10 asks. A folder shows
// when its marker (`a/`, mkdir) or its first key is met; its time and mode are its marker's,
// or the time of the walk without one. Files and markers take their facts as list.ts does
// (HeadCache, else a HEAD), a batch at a time, only when the walk asks for the next batch.
import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { type Entry, MAX_TREE_DEPTH } from '@cftp/protocol';
import type { Subtree, SubtreeEntry } from '@cftp/server';
import { type Bucket, folderKey, objectIdentity, RESERVED } from './bucket.js';
import {
  fileFacts,
  HEADS_IN_FLIGHT,
  judge,
  LIST_BATCH,
  type ListedFile,
  listedFile,
  mapLimited,
  requireFolder,
} from './list.js';
import { s3Error } from './s3-errors.js';

/** An entry whose facts are still to be read: a file, or a folder with its marker. */
interface Pending {
  below: readonly string[];
  name: string;
  type: 'file' | 'dir';
  /** The object behind it: the file, or the folder's marker (none: a folder without one). */
  object: ListedFile | undefined;
}

export async function subtreeObjects(bucket: Bucket, segments: readonly string[]) {
  await requireFolder(bucket, segments);
  const counts = { skipped: 0 };
  const subtree: Subtree = {
    get skipped() {
      return counts.skipped;
    },
    [Symbol.asyncIterator]: () => walk(bucket, segments, counts),
  };
  return subtree;
}

async function* walk(
  bucket: Bucket,
  segments: readonly string[],
  counts: { skipped: number },
): AsyncGenerator<SubtreeEntry[]> {
  const top = segments.join('/');
  const Prefix = folderKey(bucket, segments);
  /** The folders shown so far down to the current one (their storage names). */
  const open: string[] = [];
  /** `a/b/`: a folder left out (or hidden); the keys under it are passed over. */
  let passOver: string | undefined;
  let ContinuationToken: string | undefined;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await bucket.client.send(
        new ListObjectsV2Command({ Bucket: bucket.name, Prefix, ContinuationToken }),
      );
    } catch (error) {
      throw s3Error(error, top);
    }
    const pending: Pending[] = [];
    for (const object of page.Contents ?? []) {
      const relative = (object.Key ?? '').slice(Prefix.length);
      if (relative === '') continue; // the top's own marker
      if (passOver !== undefined && relative.startsWith(passOver)) continue;
      passOver = undefined;
      const marker = relative.endsWith('/');
      const parts = (marker ? relative.slice(0, -1) : relative).split('/');
      const folders = marker ? parts : parts.slice(0, -1);
      if (segments.length === 0 && folders[0] === RESERVED) {
        passOver = `${RESERVED}/`;
        continue;
      }
      let shared = 0;
      while (shared < open.length && shared < folders.length && open[shared] === folders[shared]) {
        shared++;
      }
      open.length = shared;
      let passed = false;
      // `tree` walks MAX_TREE_DEPTH folders down and no further: nothing deeper is made into
      // an entry (a key may name hundreds of folders; a page must not become 1000 times that).
      const shown = Math.min(folders.length, MAX_TREE_DEPTH);
      for (let i = shared; i < shown; i++) {
        const name = folders[i]!;
        const verdict = judge(name);
        if (verdict !== 'ok') {
          if (verdict === 'bad') counts.skipped++; // once, for all it holds
          passOver = `${folders.slice(0, i + 1).join('/')}/`;
          passed = true;
          break;
        }
        const own = marker && i === folders.length - 1;
        pending.push({
          below: folders.slice(0, i),
          name,
          type: 'dir',
          object: own ? listedFile(object, relative) : undefined,
        });
        open.push(name);
      }
      if (passed || marker || folders.length >= MAX_TREE_DEPTH) continue;
      const name = parts.at(-1)!;
      const verdict = judge(name);
      if (verdict === 'bad') counts.skipped++;
      if (verdict !== 'ok') continue;
      pending.push({ below: folders, name, type: 'file', object: listedFile(object, relative) });
    }
    for (let i = 0; i < pending.length; i += LIST_BATCH) {
      const batch = pending.slice(i, i + LIST_BATCH);
      const facts = await mapLimited(batch, HEADS_IN_FLIGHT, (item) =>
        item.object === undefined
          ? Promise.resolve(undefined)
          : fileFacts(bucket, item.object, joinPath(top, item.object.name)),
      );
      const entries: SubtreeEntry[] = [];
      batch.forEach((item, j) => {
        const found = facts[j];
        if (found === 'failed' && item.type === 'file') counts.skipped++;
        const known = typeof found === 'object' ? found : undefined;
        if (item.type === 'dir') {
          // A marker gone meanwhile leaves the folder as one without a marker.
          const mode = known?.mode === undefined ? {} : { mode: known.mode };
          const entry: Entry = {
            name: item.name,
            type: 'dir',
            size: 0,
            mtime: known?.mtime ?? Date.now(),
            ...mode,
          };
          entries.push({ below: item.below, entry });
        } else if (known !== undefined) {
          // A file gone since the page was listed is left out, as a listing leaves it; one
          // whose HEAD failed too, counted above (the tree is then incomplete).
          const mode = known.mode === undefined ? {} : { mode: known.mode };
          const entry: Entry = {
            name: item.name,
            type: 'file',
            size: known.size,
            mtime: known.mtime,
            ...mode,
          };
          const object = item.object!;
          const identity = objectIdentity(object.etag, object.lastModified, object.size);
          entries.push({
            below: item.below,
            entry,
            ...(identity === undefined ? {} : { identity }),
          });
        }
      });
      if (entries.length > 0) yield entries;
    }
    ContinuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (ContinuationToken !== undefined);
}

function joinPath(top: string, relative: string): string {
  return top === '' ? relative : `${top}/${relative}`;
}
