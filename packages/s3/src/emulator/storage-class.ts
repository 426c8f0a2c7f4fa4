// `x-amz-storage-class`: kept with the object and given back as S3 does (HEAD and GET name it unless it
// is STANDARD; listings always do). Archived objects (GLACIER, DEEP_ARCHIVE) cannot be read without a
// restore, which the emulator does not implement: S3's InvalidObjectState.
import { header } from './header.js'
import { S3Error } from './s3-error.js'

/** The storage classes of general purpose buckets. */
const STORAGE_CLASSES = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
] as const
export type StorageClass = (typeof STORAGE_CLASSES)[number]

const ARCHIVED: readonly StorageClass[] = ['GLACIER', 'DEEP_ARCHIVE']

export function storageClassOf(headers: Record<string, string | string[] | undefined>): StorageClass {
  const asked = header(headers, 'x-amz-storage-class')
  if (asked === undefined) return 'STANDARD'
  if (!(STORAGE_CLASSES as readonly string[]).includes(asked))
    throw new S3Error('InvalidStorageClass', 400, 'The storage class you specified is not valid', {
      StorageClassRequested: asked,
    })
  return asked as StorageClass
}

export function storageClassHeaders(storageClass: StorageClass): Record<string, string> {
  return storageClass === 'STANDARD' ? {} : { 'x-amz-storage-class': storageClass }
}

/** Reading (or copying) an archived object's bytes. */
export function refuseArchived(storageClass: StorageClass): void {
  if (ARCHIVED.includes(storageClass))
    throw new S3Error(
      'InvalidObjectState',
      403,
      "The operation is not valid for the object's storage class",
      {
        StorageClass: storageClass,
      },
    )
}
