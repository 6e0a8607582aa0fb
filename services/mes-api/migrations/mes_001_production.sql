-- MES DB: the materials production prints with, the printers, the production jobs (one
-- per approved order) and every status change of a job.
CREATE TABLE materials (
  id             text PRIMARY KEY,  -- the shop's material id
  technology     text NOT NULL CHECK (technology IN ('FDM', 'SLA', 'SLS')),
  density_g_cm3  numeric(6, 3) NOT NULL CHECK (density_g_cm3 > 0),
  rate_cm3_h     numeric(8, 2) NOT NULL CHECK (rate_cm3_h > 0)  -- deposition/curing/sintering
);

CREATE TABLE printers (
  id             text PRIMARY KEY,
  name           text NOT NULL,
  technology     text NOT NULL CHECK (technology IN ('FDM', 'SLA', 'SLS')),
  materials      text[] NOT NULL,
  build_x_mm     numeric(7, 1) NOT NULL,
  build_y_mm     numeric(7, 1) NOT NULL,
  build_z_mm     numeric(7, 1) NOT NULL,
  maintenance    boolean NOT NULL DEFAULT false
);

CREATE TABLE jobs (
  id                bigserial PRIMARY KEY,
  order_id          bigint NOT NULL UNIQUE,  -- one job per approved order
  customer_id       bigint NOT NULL,
  model_id          bigint NOT NULL,
  model_key         text NOT NULL,
  material_id       text NOT NULL REFERENCES materials (id),
  quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
  status            text NOT NULL CHECK (status IN
                      ('QUEUED', 'PRINTING', 'POST_PROCESSING', 'QUALITY_CHECK', 'DONE', 'FAILED')),
  printer_id        text REFERENCES printers (id),
  attempt           integer NOT NULL DEFAULT 1,
  reason            text NOT NULL DEFAULT '',
  estimate          jsonb NOT NULL,
  estimated_minutes integer NOT NULL,
  sheet_key         text NOT NULL,
  -- The trace that created the job (the approval's): later traces of the job link to it.
  origin_traceparent text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  started_at        timestamptz,
  finished_at       timestamptz
);
CREATE INDEX jobs_status ON jobs (status);
-- At most one job prints on a printer at a time.
CREATE UNIQUE INDEX jobs_one_printing_per_printer ON jobs (printer_id) WHERE status = 'PRINTING';

CREATE TABLE job_events (
  id         bigserial PRIMARY KEY,
  job_id     bigint NOT NULL REFERENCES jobs (id),
  event_id   text NOT NULL UNIQUE,  -- the event id published on jobs.status
  status     text NOT NULL,
  reason     text NOT NULL DEFAULT '',
  actor      text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_events_job ON job_events (job_id);
