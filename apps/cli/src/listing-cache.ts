// Remote folder listings kept for tab completion: one list request per folder until a command
// that changes the server's tree clears them (the session does, after such commands).
import type { Entry } from '@cftp/client';
import type { RemoteFs } from './remote-fs.js';

export class ListingCache {
  private readonly listings = new Map<string, Promise<Entry[]>>();

  constructor(private readonly fs: Pick<RemoteFs, 'list'>) {}

  /** The entries of remote folder `dir` (a protocol path), listed once. */
  entries(dir: string): Promise<Entry[]> {
    let listing = this.listings.get(dir);
    if (listing === undefined) {
      listing = this.fs.list(dir);
      // A failed listing is not kept: the folder may exist next time.
      listing.catch(() => this.listings.delete(dir));
      this.listings.set(dir, listing);
    }
    return listing;
  }

  clear(): void {
    this.listings.clear();
  }
}
