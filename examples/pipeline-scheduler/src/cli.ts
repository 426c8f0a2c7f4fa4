#!/usr/bin/env node
// The scheduler's command line: the API's operations, for operators and customers. It talks to the
// service over HTTP (SCHEDULER_URL, SCHEDULER_API_KEY, or --url and --api-key), prints the answer
// as JSON on stdout, and exits 1 with the API's error on stderr, 2 on a usage error.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ApiCallError, query, SchedulerClient } from './api-client.ts'

const USAGE = `usage: scheduler <command> [options]   (--url, --api-key or SCHEDULER_URL, SCHEDULER_API_KEY)
  onboard --name <customer> --plan PROFESSIONAL|SCALE
  credentials add --provider GCP|AWS|AZURE|OPENAI (--json '<object>' | --file <path>)
  credentials list
  pipelines configure --provider <p> --domain <d> --template <name> --schedule '<cron>' [--params '<object>']
  pipelines list
  trigger
  process [--limit <n>] [--wait]      (--wait: answer once the claimed runs have ended)
  wait                                (until no run runs on the service's workers)
  runs [--customer <id>] [--state <state>] [--date YYYY-MM-DD] [--pipeline <config_id>]
  queue-status [--customer <id>]
  status --customer <id>
  quota set --customer <id> [--daily <n>] [--monthly <n>] [--concurrent <n>]
  delete --customer <id>`

class UsageError extends Error {}

const options = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  name: { type: 'string' },
  plan: { type: 'string' },
  provider: { type: 'string' },
  json: { type: 'string' },
  file: { type: 'string' },
  domain: { type: 'string' },
  template: { type: 'string' },
  schedule: { type: 'string' },
  params: { type: 'string' },
  limit: { type: 'string' },
  customer: { type: 'string' },
  state: { type: 'string' },
  date: { type: 'string' },
  pipeline: { type: 'string' },
  daily: { type: 'string' },
  monthly: { type: 'string' },
  concurrent: { type: 'string' },
  wait: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

type Flags = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values']

function required(flags: Flags, name: keyof Flags): string {
  const value = flags[name]
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name} is required`)
  return value
}

function jsonFlag(name: string, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`--${name} must be JSON`)
  }
}

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a non-negative integer`)
  return Number(text)
}

async function run(argv: string[]): Promise<unknown> {
  let parsed: { values: Flags; positionals: string[] }
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values: flags, positionals } = parsed
  if (flags.help) return USAGE
  if (positionals.length === 0) throw new UsageError('')
  const url = flags.url ?? process.env.SCHEDULER_URL
  const apiKey = flags['api-key'] ?? process.env.SCHEDULER_API_KEY
  if (!url) throw new UsageError('--url or SCHEDULER_URL is required')
  if (!apiKey) throw new UsageError('--api-key or SCHEDULER_API_KEY is required')
  const api = new SchedulerClient(url.replace(/\/$/, ''), apiKey)
  const command = positionals.join(' ')
  switch (command) {
    case 'onboard':
      return api.post('/api/v1/customers/onboard', {
        name: required(flags, 'name'),
        plan: required(flags, 'plan'),
      })
    case 'credentials add': {
      const text = flags.json ?? (flags.file ? readFileSync(flags.file, 'utf8') : undefined)
      if (text === undefined) throw new UsageError('--json or --file is required')
      return api.post('/api/v1/customers/credentials', {
        provider: required(flags, 'provider'),
        credentials: jsonFlag(flags.json ? 'json' : 'file', text),
      })
    }
    case 'credentials list':
      return api.get('/api/v1/customers/credentials')
    case 'pipelines configure':
      return api.post('/api/v1/customers/pipelines/configure', {
        provider: required(flags, 'provider'),
        domain: required(flags, 'domain'),
        template_name: required(flags, 'template'),
        schedule: required(flags, 'schedule'),
        ...(flags.params ? { default_parameters: jsonFlag('params', flags.params) } : {}),
      })
    case 'pipelines list':
      return api.get('/api/v1/customers/pipelines')
    case 'trigger':
      return api.post('/api/v1/scheduler/trigger')
    case 'process':
      return api.post('/api/v1/scheduler/process', {
        limit: integer('limit', flags.limit) ?? 1,
        wait: flags.wait ?? false,
      })
    case 'wait':
      return api.post('/api/v1/scheduler/wait')
    case 'runs':
      return api.get(
        `/api/v1/scheduler/scheduled${query({ customer_id: flags.customer, state: flags.state, date: flags.date, config_id: flags.pipeline })}`,
      )
    case 'queue-status':
      return api.get(`/api/v1/scheduler/queue/status${query({ customer_id: flags.customer })}`)
    case 'status':
      return api.get(`/api/v1/customers/${encodeURIComponent(required(flags, 'customer'))}/status`)
    case 'quota set':
      return api.put(
        `/api/v1/customers/${encodeURIComponent(required(flags, 'customer'))}/subscription/quota`,
        {
          daily_limit: integer('daily', flags.daily),
          monthly_limit: integer('monthly', flags.monthly),
          concurrent_limit: integer('concurrent', flags.concurrent),
        },
      )
    case 'delete':
      return api.delete(`/api/v1/customers/${encodeURIComponent(required(flags, 'customer'))}`)
    default:
      throw new UsageError(`unknown command '${command}'`)
  }
}

try {
  const answer = await run(process.argv.slice(2))
  console.log(answer === USAGE ? USAGE : JSON.stringify(answer, null, 2))
} catch (error) {
  if (error instanceof UsageError) {
    if (error.message) console.error(`scheduler: ${error.message}`)
    console.error(USAGE)
    process.exitCode = 2
  } else if (error instanceof ApiCallError) {
    console.error(`scheduler: ${error.error} (HTTP ${error.status})`)
    process.exitCode = 1
  } else {
    console.error(`scheduler: ${(error as Error).message}`)
    process.exitCode = 1
  }
}
