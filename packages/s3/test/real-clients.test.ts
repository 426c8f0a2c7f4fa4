// The emulator driven by real third-party clients, each a child process with a clean environment:
// Debian's awscli, s3cmd and rclone (found by the `s3_clients` service, vitest.workspace.ts).
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { useService } from '@testbed/core'
import { afterAll, test as base, beforeAll, describe, expect } from 'vitest'
import { s3Client } from '../src/client.ts'
import { type S3Emulator, startS3Emulator } from '../src/emulator/index.ts'
import { randomData, read, sha256 } from './round-trip.ts'

declare module '@testbed/core' {
  interface TestbedServices {
    /** `hostBinaries('s3_clients', ['aws', 's3cmd', 'rclone'])`: real S3 clients on this machine */
    s3_clients: true
  }
}

const KEYS = { accessKeyId: 'CLIENTSTESTKEY', secretAccessKey: 'clients-test-secret' }
/** Generous: a client's start-up on a loaded 2-core machine takes seconds. Never a measure of speed. */
const CLIENT_TIMEOUT_MS = 120_000

let emulator: S3Emulator
let sdk: S3Client

beforeAll(async () => {
  emulator = await startS3Emulator({ credentials: [KEYS] })
  sdk = s3Client({ endpoint: emulator.url, region: 'us-east-1', ...KEYS, credentialsSource: 'the test' })
})
afterAll(async () => {
  sdk.destroy()
  await emulator.close()
})

interface Finished {
  code: number
  stdout: string
  stderr: string
}

const test = base
  .extend('clientsDir', async ({ task, skip }) => {
    return (await useService<string>({ task, skip }, 's3_clients', 'clientsDir')).connection
  })
  .extend('workDir', async ({}, { onCleanup }) => {
    const dir = mkdtempSync(join(tmpdir(), 'testbed-s3-clients-'))
    onCleanup(() => rmSync(dir, { recursive: true, force: true }))
    return dir
  })
  /** Runs one of the clients with only the environment given (no AWS_CA_BUNDLE, no pyenv shims). */
  .extend('run', async ({ clientsDir, workDir }) => {
    return (program: 'aws' | 's3cmd' | 'rclone', args: string[], env: Record<string, string> = {}) =>
      new Promise<Finished>((resolve, reject) => {
        execFile(
          join(clientsDir, program),
          args,
          {
            cwd: workDir,
            env: { PATH: `${clientsDir}:/usr/bin:/bin`, HOME: workDir, LANG: 'C.UTF-8', ...env },
            timeout: CLIENT_TIMEOUT_MS,
            maxBuffer: 16 * 1024 * 1024,
          },
          (error, stdout, stderr) => {
            if (error && typeof error.code !== 'number') reject(error)
            else resolve({ code: error ? (error.code as number) : 0, stdout, stderr })
          },
        )
      })
  })

let buckets = 0
const bucketName = (client: string) => `${client}-clients-test-${++buckets}`

function ok(finished: Finished): string {
  expect(finished, finished.stderr).toMatchObject({ code: 0 })
  return finished.stdout
}

describe('awscli against the emulator', { tags: ['tier2', 'requires_s3_clients'] }, () => {
  const awsTest = test.extend('aws', async ({ run, workDir }) => {
    const config = join(workDir, 'aws-config')
    writeFileSync(config, '[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n')
    const env = {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-credentials'),
      AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      AWS_PAGER: '',
    }
    // awscli 2.9 (Debian 12) predates AWS_ENDPOINT_URL: the endpoint is an argument.
    return (...args: string[]) =>
      run('aws', ['--endpoint-url', emulator.url, '--output', 'json', ...args], env)
  })

  type Aws = (...args: string[]) => Promise<Finished>
  /** `aws s3 cp`, without its progress meter. */
  const cp = (aws: Aws, ...args: string[]) => aws('s3', 'cp', '--no-progress', ...args)
  /** A bucket of the test's own, made with `aws s3api create-bucket`. */
  const createBucket = async (aws: Aws) => {
    const bucket = bucketName('aws')
    ok(await aws('s3api', 'create-bucket', '--bucket', bucket))
    return bucket
  }

  awsTest('create-bucket twice: us-east-1 answers 200 both times', async ({ aws }) => {
    const bucket = bucketName('aws')
    ok(await aws('s3api', 'create-bucket', '--bucket', bucket))
    ok(await aws('s3api', 'create-bucket', '--bucket', bucket))
  })

  awsTest(
    's3 cp of 9 MiB up, then s3 to s3 (GET ?tagging, UploadPartCopy), then down, byte for byte',
    async ({ aws, workDir }) => {
      const bucket = await createBucket(aws)
      const data = randomData(9 * 1024 * 1024)
      writeFileSync(join(workDir, 'big'), data)
      ok(await cp(aws, join(workDir, 'big'), `s3://${bucket}/big`))
      ok(await cp(aws, `s3://${bucket}/big`, `s3://${bucket}/copy`))
      // Above the 8 MiB threshold awscli copies in parts: the ETag says how many (8 MiB + 1 MiB).
      const copy = await sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy' }))
      expect(copy.ETag).toMatch(/^"[0-9a-f]{32}-2"$/)
      expect(sha256(await read(sdk, bucket, 'copy'))).toBe(sha256(data))
      ok(await cp(aws, `s3://${bucket}/copy`, join(workDir, 'back')))
      expect(sha256(readFileSync(join(workDir, 'back')))).toBe(sha256(data))
    },
  )

  awsTest(
    '--acl public-read is refused as S3 refuses it; bucket-owner-full-control is accepted',
    async ({ aws, workDir }) => {
      const bucket = await createBucket(aws)
      writeFileSync(join(workDir, 'file'), 'public?')
      const refused = await cp(aws, join(workDir, 'file'), `s3://${bucket}/f`, '--acl', 'public-read')
      expect(refused.code).not.toBe(0)
      expect(refused.stderr).toContain('(AccessControlListNotSupported)')
      expect(refused.stderr).toContain('The bucket does not allow ACLs')
      ok(await cp(aws, join(workDir, 'file'), `s3://${bucket}/f`, '--acl', 'bucket-owner-full-control'))
    },
  )

  awsTest('--storage-class and --sse AES256 are kept and given back', async ({ aws, workDir }) => {
    const bucket = await createBucket(aws)
    writeFileSync(join(workDir, 'file'), 'rarely read')
    ok(
      await cp(
        aws,
        join(workDir, 'file'),
        `s3://${bucket}/ia`,
        '--storage-class',
        'STANDARD_IA',
        '--sse',
        'AES256',
      ),
    )
    const head = JSON.parse(ok(await aws('s3api', 'head-object', '--bucket', bucket, '--key', 'ia')))
    expect(head).toMatchObject({
      StorageClass: 'STANDARD_IA',
      ServerSideEncryption: 'AES256',
      ContentLength: 11,
    })
    const listed = JSON.parse(ok(await aws('s3api', 'list-objects-v2', '--bucket', bucket)))
    expect(listed.Contents.map((o: { StorageClass: string }) => o.StorageClass)).toEqual(['STANDARD_IA'])
    const kms = await cp(aws, join(workDir, 'file'), `s3://${bucket}/kms`, '--sse', 'aws:kms')
    expect(kms.code).not.toBe(0)
    expect(kms.stderr).toContain('(NotImplemented)')
    expect(kms.stderr).toContain('SSE-KMS')
  })

  awsTest(
    'put-object-tagging, get-object-tagging, and the tag count on get-object',
    async ({ aws, workDir }) => {
      const bucket = await createBucket(aws)
      writeFileSync(join(workDir, 'file'), 'tagged')
      ok(await aws('s3api', 'put-object', '--bucket', bucket, '--key', 't', '--body', join(workDir, 'file')))
      ok(
        await aws(
          's3api',
          'put-object-tagging',
          '--bucket',
          bucket,
          '--key',
          't',
          '--tagging',
          'TagSet=[{Key=team,Value=build},{Key=stage,Value=ci}]',
        ),
      )
      const tags = JSON.parse(ok(await aws('s3api', 'get-object-tagging', '--bucket', bucket, '--key', 't')))
      expect(tags.TagSet).toEqual([
        { Key: 'team', Value: 'build' },
        { Key: 'stage', Value: 'ci' },
      ])
      const got = JSON.parse(
        ok(await aws('s3api', 'get-object', '--bucket', bucket, '--key', 't', join(workDir, 'back'))),
      )
      expect(got.TagCount).toBe(2)
      const bucketTags = await aws('s3api', 'get-bucket-tagging', '--bucket', bucket)
      expect(bucketTags.stderr).toContain('(NoSuchTagSet)')
    },
  )
})

describe('s3cmd against the emulator', { tags: ['tier2', 'requires_s3_clients'] }, () => {
  const s3cmdTest = test.extend('s3cmd', async ({ run, workDir }) => {
    const config = join(workDir, 's3cfg')
    const host = new URL(emulator.url).host
    writeFileSync(
      config,
      [
        '[default]',
        `access_key = ${KEYS.accessKeyId}`,
        `secret_key = ${KEYS.secretAccessKey}`,
        `host_base = ${host}`,
        `host_bucket = ${host}`,
        'use_https = False',
        'signature_v2 = False',
        'bucket_location = us-east-1',
        '',
      ].join('\n'),
    )
    return (...args: string[]) => run('s3cmd', ['-c', config, ...args])
  })

  s3cmdTest('mb, put, ls, get, del and rb, signed with SigV4', async ({ s3cmd, workDir }) => {
    const bucket = bucketName('s3cmd')
    const data = randomData(200_000)
    writeFileSync(join(workDir, 'up'), data)
    ok(await s3cmd('mb', `s3://${bucket}`))
    ok(await s3cmd('put', join(workDir, 'up'), `s3://${bucket}/dir/file`))
    expect(ok(await s3cmd('ls', '-r', `s3://${bucket}`))).toContain(`s3://${bucket}/dir/file`)
    ok(await s3cmd('get', '--force', `s3://${bucket}/dir/file`, join(workDir, 'down')))
    expect(sha256(readFileSync(join(workDir, 'down')))).toBe(sha256(data))
    ok(await s3cmd('del', `s3://${bucket}/dir/file`))
    ok(await s3cmd('rb', `s3://${bucket}`))
  })

  s3cmdTest(
    'a signurl (SigV2) URL is refused, naming SigV2 and what to use instead',
    async ({ s3cmd, workDir }) => {
      const bucket = bucketName('s3cmd')
      writeFileSync(join(workDir, 'up'), 'shared')
      ok(await s3cmd('mb', `s3://${bucket}`))
      ok(await s3cmd('put', join(workDir, 'up'), `s3://${bucket}/shared`))
      const url = ok(await s3cmd('signurl', `s3://${bucket}/shared`, '+600')).trim()
      expect(new URL(url).searchParams.has('AWSAccessKeyId')).toBe(true)
      const response = await fetch(url)
      expect(response.status).toBe(501)
      const body = await response.text()
      expect(body).toContain('<Code>NotImplemented</Code>')
      expect(body).toContain('does not implement Signature Version 2')
      expect(body).toContain('sign with Signature Version 4 (AWS4-HMAC-SHA256)')
    },
  )
})

describe('rclone against the emulator', { tags: ['tier2', 'requires_s3_clients'] }, () => {
  const rcloneTest = test.extend('rclone', async ({ run }) => {
    // A remote named `emu`, configured by environment variables only.
    const env = {
      RCLONE_CONFIG: '/dev/null',
      RCLONE_CONFIG_EMU_TYPE: 's3',
      RCLONE_CONFIG_EMU_PROVIDER: 'Other',
      RCLONE_CONFIG_EMU_ENDPOINT: emulator.url,
      RCLONE_CONFIG_EMU_REGION: 'us-east-1',
      RCLONE_CONFIG_EMU_ACCESS_KEY_ID: KEYS.accessKeyId,
      RCLONE_CONFIG_EMU_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      RCLONE_CONFIG_EMU_FORCE_PATH_STYLE: 'true',
    }
    return (...args: string[]) => run('rclone', args, env)
  })

  rcloneTest(
    'mkdir, copy a tree, ls, check, copy back, server-side copyto, delete',
    async ({ rclone, workDir }) => {
      const bucket = bucketName('rclone')
      const tree = join(workDir, 'tree')
      const big = randomData(6 * 1024 * 1024)
      mkdirSync(join(tree, 'sub'), { recursive: true })
      writeFileSync(join(tree, 'a.txt'), 'one')
      writeFileSync(join(tree, 'sub', 'b.bin'), big)
      ok(await rclone('mkdir', `emu:${bucket}`))
      ok(await rclone('copy', tree, `emu:${bucket}/t`))
      const listed = ok(await rclone('ls', `emu:${bucket}`))
      expect(
        listed
          .trim()
          .split('\n')
          .map((line) => line.trim().split(/\s+/)),
      ).toEqual([
        ['3', 't/a.txt'],
        [String(big.length), 't/sub/b.bin'],
      ])
      ok(await rclone('check', tree, `emu:${bucket}/t`))
      ok(await rclone('copyto', `emu:${bucket}/t/sub/b.bin`, `emu:${bucket}/copied.bin`))
      expect(sha256(await read(sdk, bucket, 'copied.bin'))).toBe(sha256(big))
      ok(await rclone('copy', `emu:${bucket}/t`, join(workDir, 'back')))
      expect(sha256(readFileSync(join(workDir, 'back', 'sub', 'b.bin')))).toBe(sha256(big))
      ok(await rclone('delete', `emu:${bucket}`))
      expect(ok(await rclone('ls', `emu:${bucket}`))).toBe('')
      ok(await rclone('rmdir', `emu:${bucket}`))
    },
  )
})
