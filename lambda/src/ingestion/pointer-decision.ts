import { isLaterUpload, type DatasetPointer, type UploadIdentity } from '../catalog';

/** What `current.json` holds now, as read with its ETag. */
export type CurrentPointer =
  | { readonly state: 'absent' }
  | { readonly state: 'valid'; readonly pointer: DatasetPointer; readonly etag: string }
  /** Unparseable or inconsistent: replaced by the next complete version (conditionally, on its ETag). */
  | { readonly state: 'corrupt'; readonly etag: string; readonly problem: string };

/**
 * How to move the pointer after a version is complete. S3 conditional writes make the move a
 * compare-and-swap: `create` writes with `If-None-Match: *`, `replace` with `If-Match: <etag>`;
 * a 412 means another conversion moved it in between, so the caller re-reads and decides again.
 */
export type PointerDecision =
  | { readonly action: 'create' }
  | { readonly action: 'replace'; readonly ifMatch: string; readonly previousVersion?: string }
  | { readonly action: 'keep'; readonly reason: 'already-current' | 'current-is-later'; readonly currentVersion: string };

/** Pure: never moves the pointer backwards (an older upload finishing late keeps the newer one). */
export function decidePointer(current: CurrentPointer, candidate: UploadIdentity, version: string): PointerDecision {
  switch (current.state) {
    case 'absent':
      return { action: 'create' };
    case 'corrupt':
      return { action: 'replace', ifMatch: current.etag };
    case 'valid':
      if (current.pointer.version === version) {
        return { action: 'keep', reason: 'already-current', currentVersion: version };
      }
      if (isLaterUpload(candidate, current.pointer.source)) {
        return { action: 'replace', ifMatch: current.etag, previousVersion: current.pointer.version };
      }
      return { action: 'keep', reason: 'current-is-later', currentVersion: current.pointer.version };
  }
}
