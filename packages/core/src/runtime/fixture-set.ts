import type { TestAPI } from 'vitest'

/**
 * A plugin's fixtures as one unit: given any `test`, it returns that `test` extended with the
 * fixtures `F`. A plugin exports one (`s3Fixtures`) and `test = s3Fixtures(vitestTest)`; a user puts
 * several plugins into one `test` with `composeFixtures`.
 */
export type FixtureSet<F extends object> = <C extends object>(test: TestAPI<C>) => TestAPI<C & F>

/** The fixtures a set adds. */
export type FixturesOf<S> = S extends FixtureSet<infer F> ? F : never

/** The context of a `test` extended by every set in `S`, in order. */
export type ComposedContext<C extends object, S extends readonly FixtureSet<never>[]> = S extends readonly [
  infer First,
  ...infer Rest extends readonly FixtureSet<never>[],
]
  ? ComposedContext<C & FixturesOf<First>, Rest>
  : C

/** Vitest's builder keeps each fixture's scope in these keys of the context type: not fixtures. */
type ScopeKeys = '$__worker' | '$__file' | '$__test'

/** The fixtures a `test` built by `extend` has. */
export type BuiltFixtures<B> =
  B extends TestAPI<infer C> ? { [K in Exclude<keyof C, ScopeKeys>]: C[K] } : never

/**
 * Writes a fixture set as extensions of a plain `test`; the set's fixtures are what `build` adds:
 * `export const s3Fixtures: FixtureSet<S3Fixtures> = defineFixtureSet((test) => test.extend('s3Connection', …))`.
 * The fixtures see the test's own context (`task`, `skip`, …) and their own set's earlier fixtures;
 * they ask for their service with `useConnection`, never through another set's fixture. (Vitest's
 * builder types cannot check `extend` on a `test` whose context is a type parameter: this function
 * is the one cast that needs.) TypeScript compares fixture sets loosely, so an annotation such as
 * `FixtureSet<S3Fixtures>` names the fixtures without checking them against `build`.
 */
export function defineFixtureSet<B>(build: (test: TestAPI) => B): FixtureSet<BuiltFixtures<B>> {
  return build as unknown as FixtureSet<BuiltFixtures<B>>
}

/**
 * One `test` whose context is `base`'s plus every set's fixtures:
 * `export const test = composeFixtures(vitestTest, postgresFixtures, vaultFixtures, s3Fixtures)`.
 * Sets are applied in the order given.
 */
export function composeFixtures<C extends object, S extends readonly FixtureSet<never>[]>(
  base: TestAPI<C>,
  ...sets: S
): TestAPI<ComposedContext<C, S>> {
  let test = base as unknown as TestAPI
  for (const set of sets as readonly FixtureSet<object>[]) test = set(test)
  return test as unknown as TestAPI<ComposedContext<C, S>>
}
