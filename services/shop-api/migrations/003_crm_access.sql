-- Orders are decided in CRM: managers approve or reject them, production reports back.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('NEW', 'APPROVED', 'REJECTED', 'IN_PRODUCTION', 'PRODUCTION_FAILED', 'DONE', 'CANCELLED'));
CREATE INDEX orders_status_created ON orders (status, created_at);

-- CRM API's role (provisioned with the databases) reads the shop's data and changes only
-- an order's status and history.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm') THEN
    GRANT SELECT ON customers, models, materials TO crm;
    GRANT SELECT, REFERENCES, UPDATE (status) ON orders TO crm;
    GRANT SELECT, INSERT ON order_status_history TO crm;
    GRANT USAGE ON SEQUENCE order_status_history_id_seq TO crm;
  END IF;
END
$$;
