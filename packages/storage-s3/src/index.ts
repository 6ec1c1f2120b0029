// @cftp/storage-s3: a CFTP server Storage on an S3-compatible bucket (docs/server.md "S3
// storage"), in its own package so the core server does not depend on the AWS SDK.

export { HeadCache, type HeadCacheOptions } from './head-cache.js';
export {
  createS3Client,
  DEFAULT_MAX_ATTEMPTS,
  parseS3Url,
  type S3ClientOptions,
  type S3Location,
} from './location.js';
export { partPoolBytes } from './part-sink.js';
export { s3Error } from './s3-errors.js';
export { S3Storage, type S3StorageOptions } from './s3-storage.js';
