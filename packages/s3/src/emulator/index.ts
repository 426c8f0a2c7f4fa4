// Testbed's S3 emulator: S3's REST API for buckets, objects and multipart uploads, in memory, with
// SigV4 checked and aws-chunked uploads decoded.
export { bucketNameProblem } from './bucket-name.js'
export {
  createS3Handler,
  type RawRequest,
  type S3Credentials,
  type S3Handler,
  type S3HandlerOptions,
} from './router.js'
export { EMULATOR_HEADER, type S3Emulator, type S3EmulatorOptions, startS3Emulator } from './s3-emulator.js'
