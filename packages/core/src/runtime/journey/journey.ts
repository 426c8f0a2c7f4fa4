import type { RunnerTestCase, TestAPI, TestContext, TestError, TestOptions } from 'vitest'
import { describe, TestRunner, test as vitestTest } from 'vitest'
import {
  beforeDeadline,
  budgetExceeded,
  hasBudgetedMarker,
  type JourneyBudget,
  JourneyBudgetExceeded,
  journeyBudget,
} from './journey-budget.js'
import './journey-meta.js'
import { asTestFunction, type ContextParameter, contextParameter } from './step-fixtures.js'
import { whyStepCannotRun } from './step-prerequisites.js'

type Awaitable<T> = T | PromiseLike<T>
type Simplify<T> = { [K in keyof T]: T[K] } & {}

/** A journey's state before its first step. */
export type EmptyState = Record<never, never>

/** What a step returns: an object of what it adds to the state, or nothing. */
// biome-ignore lint/suspicious/noConfusingVoidType: a step that adds nothing is a function returning void
export type StepResult = object | void

/** The state after a step: what the step returned, over what was there before (nothing, when it returned nothing). */
export type WithAdded<S extends object, A> = [A] extends [object] ? Simplify<Omit<S, keyof A> & A> : S

/** A step's function: the state so far, and the step's test context (the journey's `test` fixtures included). */
export type StepFunction<S extends object, C extends object, A> = (
  state: Readonly<S>,
  context: TestContext & C,
) => Awaitable<A>

export interface StepRetry {
  /** How many times the step runs again after it failed. */
  times: number
  /** Retry only for errors whose message matches, or for which this returns true; omitted: any error. */
  when?: RegExp | ((error: TestError) => boolean)
}

export interface StepOptions {
  /** Runs the step again when it fails (and `when` holds), without restarting the journey. */
  retry?: StepRetry
  /** The step's own Vitest timeout, besides the journey's budget. */
  timeout?: number
}

export interface JourneyOptions<C extends object = object> {
  /** Markers, as on a test: every step carries them (`requires_*` gating, pipelines, `--tags-filter`). */
  tags?: TestOptions['tags']
  /** The `test` whose fixtures the steps get (a `composeFixtures(…)` test); default: Vitest's `test`. */
  test?: TestAPI<C>
  /** A time budget in ms for the whole journey, instead of its markers' budget. */
  budget?: number
  /**
   * How many times the journey runs again from its first step when a step fails (after the step's
   * own retries); default 0. The earlier steps run again inside the failing step's retry.
   */
  retry?: number
}

/** The steps of a journey, declared in order: each `.step` adds a Vitest test and returns the journey with its state. */
export interface Journey<S extends object, C extends object> {
  step<A extends StepResult>(name: string, run: StepFunction<S, C, A>): Journey<WithAdded<S, A>, C>
  step<A extends StepResult>(
    name: string,
    options: StepOptions,
    run: StepFunction<S, C, A>,
  ): Journey<WithAdded<S, A>, C>
}

interface StepDefinition {
  name: string
  options: StepOptions
  run: StepFunction<object, object, unknown>
  parameter: ContextParameter
  /** The step's Vitest test, once it runs (a function `when` gets its last error). */
  task?: Readonly<RunnerTestCase>
}

/** One run of a journey in a file: the state its steps built, its clock, and why it stopped. */
interface JourneyRun {
  state: object
  startedAt: number | undefined
  /** Set when the journey ran past its budget: every later step is skipped with it. */
  exceeded: string | undefined
  rerunsLeft: number
  /** The failing step's next attempt runs the journey again from its first step. */
  rerunNext: boolean
}

const isPositiveInteger = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0

function checkOptions(name: string, options: JourneyOptions<object>): void {
  if (typeof name !== 'string' || !name.trim()) throw new TypeError('a journey needs a name')
  const { budget, retry, test } = options
  if (budget !== undefined && !(typeof budget === 'number' && budget > 0 && Number.isFinite(budget)))
    throw new TypeError(`journey '${name}': budget must be a positive number of ms, not ${String(budget)}`)
  if (retry !== undefined && !(retry === 0 || isPositiveInteger(retry)))
    throw new TypeError(`journey '${name}': retry must be a whole number of re-runs, not ${String(retry)}`)
  if (test !== undefined && typeof test !== 'function')
    throw new TypeError(`journey '${name}': test must be a Vitest test (such as composeFixtures(…)'s)`)
}

function checkStep(journey: string, steps: StepDefinition[], step: StepDefinition): void {
  const { name, options, run } = step
  if (typeof name !== 'string' || !name.trim())
    throw new TypeError(`journey '${journey}': a step needs a name`)
  if (steps.some((s) => s.name === name))
    throw new Error(`journey '${journey}': two steps are named '${name}'; each step needs a name of its own`)
  if (typeof run !== 'function') throw new TypeError(`journey '${journey}': step '${name}' has no function`)
  const retry = options.retry
  if (retry === undefined) return
  if (!isPositiveInteger(retry.times))
    throw new TypeError(`journey '${journey}': step '${name}': retry.times must be a positive whole number`)
  if (retry.when !== undefined && !(retry.when instanceof RegExp) && typeof retry.when !== 'function')
    throw new TypeError(`journey '${journey}': step '${name}': retry.when must be a RegExp or a function`)
}

/**
 * Whether a failed step runs again. Vitest 5.1 removes a function `retry.condition` from the test
 * itself when it reports the collected tests (it strips what cannot be cloned in place), so the
 * decision is a RegExp whose `test` is the journey's: Vitest calls it with the last error's message.
 */
class RetryDecision extends RegExp {
  constructor(private readonly decide: (message: string) => boolean) {
    super('')
  }

  override test(message: string): boolean {
    return this.decide(message)
  }
}

/**
 * An ordered end-to-end test: one `describe` named `name` whose steps are Vitest tests, run in order
 * (never concurrently, never shuffled), each handed the state the earlier steps returned. A failed
 * step skips every later one, naming it; a journey past its budget fails the running step and skips
 * the rest. See docs/journeys.md.
 */
export function journey(name: string, define: (journey: Journey<EmptyState, object>) => unknown): void
export function journey<C extends object = object>(
  name: string,
  options: JourneyOptions<C>,
  define: (journey: Journey<EmptyState, C>) => unknown,
): void
export function journey(
  name: string,
  optionsOrDefine: JourneyOptions<object> | ((journey: Journey<EmptyState, object>) => unknown),
  maybeDefine?: (journey: Journey<EmptyState, object>) => unknown,
): void {
  const options = typeof optionsOrDefine === 'function' ? {} : optionsOrDefine
  const define = typeof optionsOrDefine === 'function' ? optionsOrDefine : maybeDefine
  checkOptions(name, options)
  if (typeof define !== 'function')
    throw new TypeError(`journey '${name}' has no function declaring its steps`)
  const test = (options.test ?? vitestTest) as TestAPI
  const steps: StepDefinition[] = []
  const run: JourneyRun = {
    state: {},
    startedAt: undefined,
    exceeded: undefined,
    rerunsLeft: options.retry ?? 0,
    rerunNext: false,
  }

  async function runOne(index: number, context: TestContext, budget: JourneyBudget | undefined) {
    const step = steps[index] as StepDefinition
    const work = async () => step.run(run.state, context)
    let added: unknown
    try {
      added = budget
        ? await beforeDeadline(
            (run.startedAt as number) + budget.ms,
            budgetExceeded(name, budget, step.name),
            work,
          )
        : await work()
    } catch (error) {
      if (error instanceof JourneyBudgetExceeded) run.exceeded = error.message
      throw error
    }
    if (added === undefined) return
    if (added === null || typeof added !== 'object')
      throw new TypeError(
        `journey '${name}': step '${step.name}' returned ${String(added)}; a step returns an object of what it adds to the state, or nothing`,
      )
    run.state = { ...run.state, ...added }
  }

  async function runStep(index: number, context: TestContext): Promise<void> {
    ;(steps[index] as StepDefinition).task = context.task
    const blocked = run.exceeded ?? whyStepCannotRun(name, context.task)
    if (blocked) context.skip(blocked)
    const budget = journeyBudget(options.budget, context.task.meta.testbedBudget)
    if (run.rerunNext) {
      run.rerunNext = false
      run.state = {}
      run.startedAt = performance.now()
      context.task.meta.testbedStep = { index, rerunFromStart: true }
      for (let earlier = 0; earlier < index; earlier++) await runOne(earlier, context, budget)
    }
    run.startedAt ??= performance.now()
    await runOne(index, context, budget)
  }

  function retryOption(step: StepDefinition) {
    const times = step.options.retry?.times ?? 0
    const reruns = options.retry ?? 0
    if (!times && !reruns) return undefined
    let retried = 0
    const when = step.options.retry?.when
    return {
      count: times + reruns,
      condition: new RetryDecision((message) => {
        if (run.exceeded) return false // out of time: another attempt would only run longer
        const error = step.task?.result?.errors?.at(-1)
        const matches =
          when === undefined ||
          (when instanceof RegExp ? when.test(message) : error !== undefined && when(error))
        if (retried < times && matches) {
          retried++
          return true
        }
        if (run.rerunsLeft <= 0) return false
        run.rerunsLeft--
        run.rerunNext = true
        return true
      }),
    }
  }

  describe(name, {
    tags: options.tags,
    concurrent: false,
    shuffle: false,
    meta: { testbedJourney: { name } },
  }, () => {
    // The journey's budget replaces its steps' per-test timeouts from the same markers.
    const bounded =
      options.budget !== undefined || hasBudgetedMarker(TestRunner.getCurrentSuite().suite?.tags ?? [])
    let declaring = true
    const builder: Journey<object, object> = {
      step(stepName: string, ...rest: unknown[]) {
        const [stepOptions, stepRun] = (rest.length > 1 ? rest : [{}, rest[0]]) as [
          StepOptions,
          StepFunction<object, object, unknown>,
        ]
        if (!declaring)
          throw new Error(
            `journey '${name}': step '${stepName}' was declared after the journey's function returned; declare every step inside it`,
          )
        const step: StepDefinition = {
          name: stepName,
          options: stepOptions ?? {},
          run: stepRun,
          parameter: undefined,
        }
        checkStep(name, steps, step)
        step.parameter = contextParameter(stepRun)
        steps.push(step)
        const index = steps.length - 1
        const timeout = step.options.timeout ?? (bounded ? 0 : undefined)
        const retry = retryOption(step)
        // A re-run from the first step calls the earlier steps with this step's context: it sets up their fixtures too.
        const parameters = options.retry ? steps.map((s) => s.parameter) : [step.parameter]
        test(
          stepName,
          {
            concurrent: false,
            ...(timeout !== undefined && { timeout }),
            ...(retry && { retry }),
            meta: { testbedStep: { index } },
          },
          asTestFunction((context: TestContext) => runStep(index, context), parameters),
        )
        return builder
      },
    } as Journey<object, object>
    const declared = define(builder as Journey<EmptyState, object>)
    declaring = false
    if (declared instanceof Promise)
      throw new TypeError(
        `journey '${name}': declare its steps synchronously (its function returned a promise)`,
      )
    if (!steps.length) throw new Error(`journey '${name}' has no steps: add them with .step(name, fn)`)
  })
}
