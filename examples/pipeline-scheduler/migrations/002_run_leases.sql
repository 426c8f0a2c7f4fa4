-- A RUNNING run is claimed under a lease: its worker renews it while it runs, and a run whose lease
-- has expired (its worker died) is taken back by the next processing, FAILED with a retry.
ALTER TABLE scheduled_pipeline_runs ADD COLUMN lease_expires_at timestamptz;
ALTER TABLE scheduled_pipeline_runs
  ADD CONSTRAINT scheduled_pipeline_runs_lease_only_running CHECK (lease_expires_at IS NULL OR state = 'RUNNING');
CREATE INDEX scheduled_pipeline_runs_lease_idx ON scheduled_pipeline_runs (lease_expires_at) WHERE state = 'RUNNING';

-- The order runs were queued in, the queue's tie-break among runs due at the same time (created_at is
-- the service's clock, which may stand still): a trigger queues customers and pipelines in order.
ALTER TABLE scheduled_pipeline_runs ADD COLUMN queue_position bigint GENERATED ALWAYS AS IDENTITY;
