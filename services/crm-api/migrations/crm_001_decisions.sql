-- CRM's own tables in ShopDB: managers' notes, the outbox of approvals sent to
-- production, and the jobs.status events already applied (each is applied once).
CREATE TABLE order_notes (
  id         bigserial PRIMARY KEY,
  order_id   bigint NOT NULL REFERENCES orders (id),
  author     text NOT NULL,
  text       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_notes_order ON order_notes (order_id);

-- One row per approved order: the message of orders.approved, written in the same
-- transaction as the approval; sent_at is set once Kafka acknowledged it.
CREATE TABLE approval_outbox (
  order_id    bigint PRIMARY KEY REFERENCES orders (id),
  payload     jsonb NOT NULL,
  approved_by text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz
);

CREATE TABLE applied_job_events (
  event_id   text PRIMARY KEY,
  order_id   bigint NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
