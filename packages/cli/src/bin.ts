#!/usr/bin/env node
// `npx testbed <command>`: parsing (cac) and exit statuses here; each command in commands/.
import { readFileSync } from 'node:fs'
import { cac } from 'cac'
import { CliError } from './cli-error.js'
import { runCiPlan, runCiRun } from './commands/ci.js'
import { runDoctor } from './commands/doctor.js'
import { runDown } from './commands/down.js'
import { runEnv } from './commands/env.js'
import { runFlaky } from './commands/flaky.js'
import { runPolicy } from './commands/policy.js'
import { runStatus } from './commands/status.js'
import { runUp } from './commands/up.js'
import { EXPORT_FORMATS, parseFormat } from './exports-format.js'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
}

const cli = cac('testbed')
const formats = EXPORT_FORMATS.join('|')

cli
  .command(
    'up [...services]',
    'start and provision services as a test run does, print their exports, and hold them',
  )
  .option('--pipeline <name>', 'the services this pipeline needs (default: every registered service)')
  .option('--format <format>', `how to print the exports: ${formats}`, { default: 'sh' })
  .option('--detach', 'leave the services running in the background (testbed down stops them)')
  .option('--config <path>', 'the Testbed config (default: the nearest vitest.workspace.ts)')
  .example('testbed up postgres redis nats')
  .example('testbed up vault auth0 --detach && npx vitest --project enterprise')
  .action((services: string[], o) =>
    runUp(services, {
      cwd: process.cwd(),
      config: o.config,
      pipeline: o.pipeline,
      format: parseFormat(o.format),
      detach: Boolean(o.detach),
    }),
  )

cli
  .command('down', 'stop what testbed up --detach started (idempotent; removes a stale state file)')
  .option('--config <path>', 'the Testbed config (default: the nearest vitest.workspace.ts)')
  .action((o) => runDown({ cwd: process.cwd(), config: o.config }))

cli
  .command('status', 'what testbed up holds: service, provider, endpoint (secrets redacted), since when')
  .option('--json', 'as JSON')
  .option('--config <path>', 'the Testbed config (default: the nearest vitest.workspace.ts)')
  .action((o) => runStatus({ cwd: process.cwd(), config: o.config, json: Boolean(o.json) }))

cli
  .command('env [...services]', 'the exports of what testbed up holds')
  .option('--format <format>', `how to print them: ${formats}`, { default: 'sh' })
  .option('--config <path>', 'the Testbed config (default: the nearest vitest.workspace.ts)')
  .action((services: string[], o) =>
    runEnv(services, { cwd: process.cwd(), config: o.config, format: parseFormat(o.format) }),
  )

cli
  .command('doctor', 'what this machine can provide: every provider of every service, Docker, Compose, Node')
  .option('--json', 'as JSON')
  .option('--config <path>', 'the Testbed config (default: the nearest vitest.workspace.ts)')
  .action((o) => runDoctor({ cwd: process.cwd(), config: o.config, json: Boolean(o.json) }))

cli
  .command(
    'ci [action] [workflow]',
    "CI parity: `ci plan` shows the workflows' DAG and Testbed jobs, `ci run` runs them here",
  )
  .option('--job <name>', 'ci run: only this job (its key, id or name)')
  .option('--config <path>', 'the Testbed config (default: the nearest vitest.workspace.ts)')
  .example('testbed ci plan')
  .example('testbed ci run main --job test')
  .action((action: string | undefined, workflow: string | undefined, o) => {
    const options = { cwd: process.cwd(), config: o.config }
    if (action === 'plan') return runCiPlan(workflow, options)
    if (action === 'run') return runCiRun(workflow, { ...options, job: o.job })
    throw new CliError(
      `${action === undefined ? 'testbed ci needs' : `unknown ci action '${action}':`} plan or run (testbed ci plan [workflow], testbed ci run [workflow] [--job NAME])`,
      2,
    )
  })

cli
  .command('policy [action]', 'the policy lock: `lock` writes testbed.policy.lock, `verify` checks it')
  .option('--config <path>', 'the Testbed config (default: the nearest vitest.workspace.ts)')
  .example('testbed policy lock')
  .example('testbed policy verify')
  .action((action: string | undefined, o) => runPolicy(action, { cwd: process.cwd(), config: o.config }))

cli
  .command(
    'flaky',
    "each test's and the suite's flaky rate over the last runs of the history (docs/flakiness.md)",
  )
  .option('--window <runs>', 'the last this many runs of the history (default 100)')
  .option('--days <days>', 'only the runs of the last this many days')
  .option(
    '--min-runs <runs>',
    'tests with fewer runs in the window are not judged against the 1 % budget (default 5)',
  )
  .option('--json', 'as JSON')
  .option(
    '--store <store>',
    "the history to read: s3://bucket/prefix (the result cache's S3 store) or a local file or directory (default: the config's)",
  )
  .option(
    '--prune-before <date>',
    'remove the runs that ended before this date (2026-11-01) instead of reporting',
  )
  .option('--config <path>', 'the Testbed config (default: the nearest vitest.workspace.ts)')
  .example('testbed flaky --window 20 --min-runs 10')
  .example('testbed flaky --days 7 --store s3://ft-cache-e2e/results/')
  .example('testbed flaky --prune-before 2026-11-01')
  .action((o) =>
    runFlaky({
      cwd: process.cwd(),
      config: o.config,
      window: o.window,
      days: o.days,
      minRuns: o.minRuns,
      json: Boolean(o.json),
      store: o.store,
      pruneBefore: o.pruneBefore,
    }),
  )

cli.help()
cli.version(version)

async function main(): Promise<number> {
  cli.parse(process.argv, { run: false })
  if (!cli.matchedCommand && !cli.args.length) {
    if (!cli.options.help && !cli.options.version) cli.outputHelp()
    return cli.options.help || cli.options.version ? 0 : 2
  }
  if (!cli.matchedCommand)
    throw new CliError(
      `unknown command '${cli.args[0]}' (commands: up, down, status, env, doctor, ci, policy, flaky; see testbed --help)`,
      2,
    )
  return (await cli.runMatchedCommand()) ?? 0
}

main().then(
  (code: number) => {
    process.exitCode = code
  },
  (error: Error) => {
    // cac's own errors (an unknown option, a missing value) are usage errors.
    const usage = error.name === 'CACError'
    process.stderr.write(`testbed: ${error.message}${usage ? ' (see testbed --help)' : ''}\n`)
    process.exitCode = error instanceof CliError ? error.exitCode : usage ? 2 : 1
  },
)
