// The end-to-end scenario's two customers, their credentials and their six pipelines.
import type { SchedulerClient } from '../src/api-client.ts'

export interface PipelineSpec {
  provider: string
  domain: string
  template_name: string
  schedule: string
}

export interface CustomerSpec {
  name: string
  plan: 'PROFESSIONAL' | 'SCALE'
  credentials: Record<string, Record<string, string>>
  pipelines: PipelineSpec[]
}

export const ACME: CustomerSpec = {
  name: 'acme_corp',
  plan: 'PROFESSIONAL',
  credentials: {
    GCP: { type: 'service_account', project_id: 'acme-billing', private_key: 'acme-gcp-secret' },
    AWS: { access_key_id: 'AKIAACME', secret_access_key: 'acme-aws-secret' },
  },
  pipelines: [
    { provider: 'GCP', domain: 'COST', template_name: 'gcp_cost_billing', schedule: '0 2 * * *' },
    { provider: 'GCP', domain: 'SECURITY', template_name: 'gcp_security_audit', schedule: '0 0 * * 1' },
    { provider: 'AWS', domain: 'COST', template_name: 'aws_cost_analysis', schedule: '0 3 * * *' },
  ],
}

export const GLOBEX: CustomerSpec = {
  name: 'globex_inc',
  plan: 'SCALE',
  credentials: {
    GCP: { type: 'service_account', project_id: 'globex-billing', private_key: 'globex-gcp-secret' },
    AZURE: { tenant_id: 'globex-tenant', client_id: 'globex-app', client_secret: 'globex-azure-secret' },
  },
  pipelines: [
    { provider: 'GCP', domain: 'COST', template_name: 'gcp_cost_billing', schedule: '0 2 * * *' },
    {
      provider: 'AZURE',
      domain: 'COMPLIANCE',
      template_name: 'azure_compliance_check',
      schedule: '0 0 1 * *',
    },
    {
      provider: 'OPENAI',
      domain: 'OBSERVABILITY',
      template_name: 'openai_usage_tracking',
      schedule: '0 * * * *',
    },
  ],
}

export interface Onboarded {
  customer_id: string
  api: SchedulerClient
  /** config_id by template name. */
  configs: Record<string, string>
}

/** Onboards `spec` over the API: the customer, its credentials and its pipelines. */
export async function onboardCustomer(admin: SchedulerClient, spec: CustomerSpec): Promise<Onboarded> {
  const { customer_id, api_key } = await admin.post<{ customer_id: string; api_key: string }>(
    '/api/v1/customers/onboard',
    { name: spec.name, plan: spec.plan },
  )
  const api = admin.as(api_key)
  for (const [provider, credentials] of Object.entries(spec.credentials))
    await api.post('/api/v1/customers/credentials', { provider, credentials })
  const configs: Record<string, string> = {}
  for (const pipeline of spec.pipelines) {
    const { config_id } = await api.post<{ config_id: string }>(
      '/api/v1/customers/pipelines/configure',
      pipeline,
    )
    configs[pipeline.template_name] = config_id
  }
  return { customer_id, api, configs }
}

export interface RunRow {
  run_id: string
  config_id: string
  customer_id: string
  slot_time: string
  scheduled_time: string
  state: string
  retry_attempt: number
  error_message: string | null
  transitions: string[]
}
