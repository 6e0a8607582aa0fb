-- ShopDB schema of Shop API (CRM API reads and writes the same database).
CREATE TABLE materials (
  id                  text PRIMARY KEY,
  name                text NOT NULL,
  price_per_cm3_cents bigint NOT NULL CHECK (price_per_cm3_cents > 0),
  minimum_cents       bigint NOT NULL DEFAULT 0 CHECK (minimum_cents >= 0)
);

CREATE TABLE customers (
  id            bigserial PRIMARY KEY,
  email         text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash  text PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  expires_at  timestamptz NOT NULL
);

CREATE TABLE models (
  id          bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  filename    text NOT NULL,
  s3_key      text NOT NULL UNIQUE,
  size_bytes  bigint NOT NULL,
  format      text NOT NULL,
  triangles   integer NOT NULL,
  volume_mm3  double precision NOT NULL,
  surface_mm2 double precision NOT NULL,
  bbox_mm     double precision[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id               bigserial PRIMARY KEY,
  customer_id      bigint NOT NULL REFERENCES customers (id),
  model_id         bigint NOT NULL REFERENCES models (id),
  material_id      text NOT NULL REFERENCES materials (id),
  quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
  unit_price_cents bigint NOT NULL,
  total_cents      bigint NOT NULL,
  status           text NOT NULL CHECK (status IN ('NEW', 'APPROVED', 'IN_PRODUCTION', 'DONE', 'CANCELLED')),
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_status_history (
  id         bigserial PRIMARY KEY,
  order_id   bigint NOT NULL REFERENCES orders (id),
  status     text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  note       text NOT NULL DEFAULT ''
);
CREATE INDEX order_status_history_order ON order_status_history (order_id);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX models_customer ON models (customer_id);
