/** An error S3 answers with: its code, HTTP status and message, serialized as S3's `<Error>` document. */
export class S3Error extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra elements of the `<Error>` document (`BucketName`, `Key`, …). */
    readonly details: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'S3Error'
  }
}

export const noSuchBucket = (bucket: string) =>
  new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket })

export const noSuchKey = (key: string) =>
  new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key })

export const noSuchUpload = (uploadId: string) =>
  new S3Error(
    'NoSuchUpload',
    404,
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  )

export const notImplemented = (what: string) =>
  new S3Error('NotImplemented', 501, `Testbed's S3 emulator does not implement ${what}`)

export const malformed = (message: string) => new S3Error('MalformedXML', 400, message)

export const invalidArgument = (message: string, name?: string, value?: string) =>
  new S3Error(
    'InvalidArgument',
    400,
    message,
    name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' },
  )
