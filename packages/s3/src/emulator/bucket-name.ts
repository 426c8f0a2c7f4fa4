import { S3Error } from './s3-error.js'

// S3's rules for general purpose bucket names:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const RULES: [test: (name: string) => boolean, problem: string][] = [
  [(n) => n.length >= 3 && n.length <= 63, 'must be between 3 and 63 characters long'],
  [(n) => /^[a-z0-9.-]+$/.test(n), 'may hold only lowercase letters, digits, dots and hyphens'],
  [(n) => /^[a-z0-9].*[a-z0-9]$/.test(n), 'must begin and end with a letter or digit'],
  [(n) => !n.includes('..'), 'must not contain two adjacent dots'],
  [(n) => !/^\d{1,3}(\.\d{1,3}){3}$/.test(n), 'must not be formatted as an IP address'],
  [(n) => !/^(xn--|sthree-|amzn-s3-demo-)/.test(n), 'must not start with xn--, sthree- or amzn-s3-demo-'],
  [(n) => !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(n), 'must not end with a reserved suffix'],
]

/** Why S3 would refuse this bucket name, or undefined when it is valid. */
export function bucketNameProblem(name: string): string | undefined {
  return RULES.find(([test]) => !test(name))?.[1]
}

export function checkBucketName(name: string): void {
  const problem = bucketNameProblem(name)
  if (problem)
    throw new S3Error('InvalidBucketName', 400, `The specified bucket is not valid: "${name}" ${problem}.`, {
      BucketName: name,
    })
}
