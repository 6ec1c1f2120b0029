// Atomic uploads (docs/protocol.md §6.3, §8): bytes go to a hidden temporary file next to the
// target, which is fsynced, verified by the caller, renamed into place, and its folder
// fsynced. A resumable upload keeps its partial under a name derived from the file's digest.
import { constants as fsConstants, lstatSync, type Stats } from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { finished as streamFinished } from 'node:stream/promises';
import {
  CftpError,
  DEFAULT_SERVER_UMASK,
  MODE_MASK,
  nextTempStamp,
  oneOffTempKey,
  PathError,
  receivedMode,
  tempName,
} from '@cftp/protocol';
import { FileSink, readFromHandle } from '@cftp/transfer';
import type { FolderAccess } from './confinement.js';
import type { FolderSyncer } from './folder-sync.js';
import { refuseOtherForm } from './listing.js';
import { sharedFolders } from './shared-folders.js';
import { storageError, type Upload, type UploadOptions } from './storage.js';

const { O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = fsConstants;
/** One-off temporary names tried before an upload fails with EEXIST (see openUpload). */
const TEMP_NAME_ATTEMPTS = 16;
/** Opening a FIFO would block a thread-pool thread until the other end comes. */
const O_NONBLOCK = fsConstants.O_NONBLOCK ?? 0;

/**
 * What is at `path` now, or undefined when nothing is: on the calling thread, as the server's
 * listings read (ListOptions.onThread). An upload asks twice (is the name a folder? which
 * mode does an existing file keep?), and for a new file the promise lstat rejects with an
 * Error and its stack trace: on a first sync of 10 000 files that cost the server more CPU
 * and garbage than the lstats themselves. Only reads go on the thread: the chmod and utimes
 * of the commit start a journal transaction, which can wait behind a commit of the file
 * system's journal, so they stay on the thread pool with the creates and fsyncs.
 */
function lstatHere(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

/** What uploads in one storage share: its folders, its fsyncs, and what is in progress. */
export interface UploadRoom {
  readonly folders: FolderAccess;
  readonly syncer: FolderSyncer;
  /** Resumable partial files with an upload in progress: one writer each. */
  readonly activeResumes: Set<string>;
  /** Every temporary file with an upload in progress: the sweep leaves them alone. */
  readonly activeTemps: Set<string>;
  /** This storage's instance id, in its one-off temporary names (§8, `oneOffTempKey`). */
  readonly instance: string;
  /** The last creation stamp given to a one-off temporary name (unique per instance). */
  lastStamp: number;
}

/**
 * Gives the temporary file its final permission bits before the rename (§6.8): exactMode
 * copies the source's, an existing regular file at `target` keeps its own, else the source's
 * mode (0o666 from a v1 client) masked by the umask. Through the upload's own handle: the
 * file chmod'ed is the one written, and a link planted under its name is never followed.
 */
async function setFinalMode(
  file: FileHandle,
  target: string,
  options: UploadOptions,
): Promise<void> {
  let existing: Stats | undefined;
  try {
    existing = lstatHere(target);
  } catch {
    existing = undefined; // unreadable: treated as absent, as before (the source's mode)
  }
  const mode = receivedMode({
    source: options.mode,
    umask: options.umask ?? DEFAULT_SERVER_UMASK,
    existing: existing?.isFile() === true ? existing.mode & MODE_MASK : undefined,
    exact: options.exactMode === true,
  });
  await file.chmod(mode);
}

/** Creates (or, when resumable, reopens) the temporary file of an upload to `segments`. */
export async function openUpload(
  uploads: UploadRoom,
  segments: readonly string[],
  options: UploadOptions,
): Promise<Upload> {
  const { activeResumes, activeTemps } = uploads;
  const folders =
    options.group === undefined ? uploads.folders : sharedFolders(uploads.folders, options.group);
  const path = segments.join('/');
  const name = segments.at(-1);
  if (name === undefined) throw new PathError('EISDIR', 'is a directory: root');
  // The folder is held open only while the temporary file is created, and opened (and
  // checked) again to commit or remove it: an upload costs one descriptor, not two.
  const parent = segments.slice(0, -1);
  // Opened and checked on this thread (lookups, as lstatHere's): an upload opens its folder
  // twice, to create and to commit, and each open and close was a thread-pool hop.
  const folder = await folders.openHere(parent);
  let handle: FileHandle | undefined;
  let release = () => {};
  let tempFile = '';
  let offset = 0;
  const resumable = options.resumeKey !== undefined;
  try {
    let existing: Stats | undefined;
    try {
      existing = lstatHere(folder.entry(name));
    } catch (error) {
      throw storageError(error, path);
    }
    if (existing?.isDirectory()) throw new PathError('EISDIR', `is a directory: "${path}"`);
    if (existing === undefined) await refuseOtherForm(folder, name, path);
    // A one-off name is unique within this instance; another instance whose id matches (1 in
    // 65 536 on one host) could have taken it in the same second: the next stamp is tried.
    for (let attempt = 1; ; attempt++) {
      let tempKey = options.resumeKey;
      if (tempKey === undefined) {
        uploads.lastStamp = nextTempStamp(uploads.lastStamp);
        tempKey = oneOffTempKey(uploads.instance, uploads.lastStamp);
      }
      tempFile = tempName(name, tempKey, { resumable });
      const key = join(folder.real, tempFile);
      if (resumable && activeResumes.has(key)) {
        // One upload at a time per resumable partial: two writers would interleave their bytes.
        throw new CftpError('EBUSY', `an upload of the same file to "${path}" is in progress`);
      }
      if (resumable) activeResumes.add(key);
      activeTemps.add(key);
      release = () => {
        activeResumes.delete(key);
        activeTemps.delete(key);
      };
      try {
        // A resumable partial is appended to; a fresh temporary file is created exclusively.
        // Neither follows a symlink planted under the temporary name.
        handle = await open(
          folder.entry(tempFile),
          resumable
            ? O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK
            : O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
          // 0600 until the commit gives the final mode (§6.8): never readable more widely on the way.
          0o600,
        );
        break;
      } catch (error) {
        const taken = (error as NodeJS.ErrnoException).code === 'EEXIST';
        if (resumable || !taken || attempt >= TEMP_NAME_ATTEMPTS) throw error;
        release();
      }
    }
    if (resumable) {
      const info = await handle.stat();
      if (!info.isFile()) throw new PathError('EACCES', `not a regular file: "${tempFile}"`);
      offset = info.size;
      if (options.size !== undefined && offset > options.size) {
        await handle.truncate(0);
        offset = 0;
      }
    }
  } catch (error) {
    await handle?.close().catch(() => {});
    release();
    throw storageError(error, path);
  } finally {
    await folder.close();
  }
  const file = handle;
  // The sink fsyncs the file when it finishes (flushing in the background as it goes), and
  // pipeline waits for that, so a finished stream is on disk (§8: write, fsync, verify,
  // rename, fsync folder). It leaves the handle open (keepOpen): the commit sets the final
  // mode and mtime through it, without opening the file again, then closes it.
  const stream = new FileSink(file, { keepOpen: true });
  let fileOpen = true;
  const closeFile = async () => {
    if (!fileOpen) return;
    fileOpen = false;
    await file.close();
  };
  let finished = false;
  return {
    offset,
    read: readFromHandle(file),
    stream,
    commit: async (mtime) => {
      try {
        if (!stream.closed) throw new CftpError('EIO', 'upload stream still open at commit');
        const at = await folders.openHere(parent);
        let real: string;
        try {
          await setFinalMode(file, at.entry(name), options);
          if (mtime !== undefined) await file.utimes(new Date(), new Date(mtime));
          await closeFile();
          await rename(at.entry(tempFile), at.entry(name));
          real = at.real;
        } finally {
          await at.close();
        }
        finished = true;
        release();
        await uploads.syncer.sync(real);
      } catch (error) {
        throw storageError(error, path);
      }
    },
    abort: async (keep = false) => {
      if (!stream.closed) {
        stream.destroy();
        await streamFinished(stream).catch(() => {}); // closed, with or without an error
      }
      // A sink that finished handed the handle over; one destroyed closed it (a second
      // close only fails).
      await closeFile().catch(() => {});
      if (!finished) {
        finished = true;
        if (!(resumable && keep)) {
          // A folder that cannot be reopened inside the root keeps it for the next sweep.
          await folders.within(parent, (at) => unlink(at.entry(tempFile))).catch(() => {});
        }
      }
      release();
    },
  };
}
