// Server-side copies for rename (docs/server.md "S3 storage"): CopyObject up to 5 GiB, S3's
// limit for one copy; above it a multipart upload of UploadPartCopy ranges. Metadata (mtime,
// mode) goes with the object either way. No byte passes through the server.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { Bucket } from './bucket.js';
import { copySource } from './resumable.js';

const GiB = 1024 * 1024 * 1024;
/** S3's largest single CopyObject. */
export const MAX_COPY_BYTES = 5 * GiB;
/** Range of one UploadPartCopy above that: 1 GiB, well within S3's 5 GiB per part. */
const COPY_PART_BYTES = GiB;

export interface CopyPlan {
  /** Above this, a multipart copy (default 5 GiB, S3's limit for CopyObject). */
  maxCopyBytes?: number;
  /** Bytes per UploadPartCopy range (default 1 GiB; at least 5 MiB). */
  copyPartBytes?: number;
}

export async function copyObject(
  bucket: Bucket,
  fromKey: string,
  toKey: string,
  size: number,
  Metadata: Record<string, string> | undefined,
  plan: CopyPlan = {},
): Promise<void> {
  const partBytes = plan.copyPartBytes ?? COPY_PART_BYTES;
  const Bucket = bucket.name;
  const CopySource = copySource(bucket, fromKey);
  if (size <= (plan.maxCopyBytes ?? MAX_COPY_BYTES)) {
    await bucket.client.send(
      new CopyObjectCommand({ Bucket, Key: toKey, CopySource, MetadataDirective: 'COPY' }),
    );
    return;
  }
  const created = await bucket.client.send(
    new CreateMultipartUploadCommand({ Bucket, Key: toKey, Metadata }),
  );
  const UploadId = created.UploadId;
  try {
    const Parts: Array<{ PartNumber: number; ETag: string | undefined }> = [];
    for (let start = 0, PartNumber = 1; start < size; start += partBytes, PartNumber++) {
      const end = Math.min(size, start + partBytes) - 1;
      const out = await bucket.client.send(
        new UploadPartCopyCommand({
          Bucket,
          Key: toKey,
          UploadId,
          PartNumber,
          CopySource,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
      Parts.push({ PartNumber, ETag: out.CopyPartResult?.ETag });
    }
    await bucket.client.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: toKey,
        UploadId,
        MultipartUpload: { Parts },
      }),
    );
  } catch (error) {
    await bucket.client
      .send(new AbortMultipartUploadCommand({ Bucket, Key: toKey, UploadId }))
      .catch(() => {});
    throw error;
  }
}
