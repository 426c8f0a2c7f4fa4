-- Customers, each with a subscription plan and the quota limits new usage days start from.
CREATE TABLE customers (
  customer_id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  plan text NOT NULL CHECK (plan IN ('PROFESSIONAL', 'SCALE')),
  api_key_hash text NOT NULL UNIQUE,
  daily_limit int NOT NULL,
  monthly_limit int NOT NULL,
  concurrent_limit int NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A provider's credentials, stored only as ciphertext.
CREATE TABLE provider_credentials (
  credential_id text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers ON DELETE CASCADE,
  provider text NOT NULL CHECK (provider IN ('GCP', 'AWS', 'AZURE', 'OPENAI')),
  ciphertext text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (customer_id, provider)
);

CREATE TABLE pipeline_configurations (
  config_id text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers ON DELETE CASCADE,
  provider text NOT NULL,
  domain text NOT NULL,
  template_name text NOT NULL,
  schedule text NOT NULL, -- a cron expression, evaluated in UTC
  default_parameters jsonb,
  is_active boolean NOT NULL DEFAULT true,
  last_run_time timestamptz,
  next_run_time timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The order pipelines were configured in (created_at is the service's clock, which may stand still).
  position bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX pipeline_configurations_due_idx ON pipeline_configurations (next_run_time) WHERE is_active;

CREATE TABLE scheduled_pipeline_runs (
  run_id text PRIMARY KEY,
  config_id text NOT NULL REFERENCES pipeline_configurations ON DELETE CASCADE,
  customer_id text NOT NULL REFERENCES customers ON DELETE CASCADE,
  -- The cron occurrence the run is for; a retry keeps its run's slot and runs at scheduled_time.
  slot_time timestamptz NOT NULL,
  scheduled_time timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED')),
  pipeline_logging_id text,
  retry_attempt int NOT NULL DEFAULT 0,
  error_message text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- One run per schedule slot and attempt, however many schedulers trigger at once.
  UNIQUE (config_id, slot_time, retry_attempt)
);
CREATE INDEX scheduled_pipeline_runs_queue_idx ON scheduled_pipeline_runs (scheduled_time) WHERE state IN ('SCHEDULED', 'PENDING');

-- Every state a run went through, in order: what "SCHEDULED → PENDING → RUNNING" is checked against.
CREATE TABLE run_state_transitions (
  id bigserial PRIMARY KEY,
  run_id text NOT NULL REFERENCES scheduled_pipeline_runs ON DELETE CASCADE,
  from_state text,
  to_state text NOT NULL,
  at timestamptz NOT NULL
);

CREATE TABLE subscription_quotas (
  customer_id text NOT NULL REFERENCES customers ON DELETE CASCADE,
  usage_date date NOT NULL,
  pipelines_run_today int NOT NULL DEFAULT 0,
  pipelines_run_month int NOT NULL DEFAULT 0,
  concurrent_running int NOT NULL DEFAULT 0,
  daily_limit int NOT NULL,
  monthly_limit int NOT NULL,
  concurrent_limit int NOT NULL,
  PRIMARY KEY (customer_id, usage_date)
);

-- What a pipeline run produced, written in the run's own transaction: one row per completed run.
CREATE TABLE pipeline_results (
  run_id text PRIMARY KEY REFERENCES scheduled_pipeline_runs ON DELETE CASCADE,
  customer_id text NOT NULL REFERENCES customers ON DELETE CASCADE,
  config_id text NOT NULL,
  slot_time timestamptz NOT NULL,
  pipeline_logging_id text NOT NULL,
  summary jsonb NOT NULL
);
