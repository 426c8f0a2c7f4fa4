/** The subscription plans and the quota limits a customer on each starts with. */
export const PLANS = {
  PROFESSIONAL: { daily_limit: 25, monthly_limit: 500, concurrent_limit: 3 },
  SCALE: { daily_limit: 100, monthly_limit: 3000, concurrent_limit: 10 },
} as const

export type Plan = keyof typeof PLANS

export const isPlan = (value: unknown): value is Plan => typeof value === 'string' && value in PLANS

export const PROVIDERS = ['GCP', 'AWS', 'AZURE', 'OPENAI'] as const
export type Provider = (typeof PROVIDERS)[number]

/** `Azure`, `azure` and `AZURE` name the same provider. */
export function providerOf(value: unknown): Provider | undefined {
  const upper = typeof value === 'string' ? value.toUpperCase() : ''
  return PROVIDERS.find((p) => p === upper)
}
