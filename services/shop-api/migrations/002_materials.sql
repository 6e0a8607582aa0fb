-- The materials catalogue with prices per cm3.
INSERT INTO materials (id, name, price_per_cm3_cents, minimum_cents) VALUES
  ('pla-white', 'PLA, white', 12, 300),
  ('petg-black', 'PETG, black', 15, 300),
  ('nylon-pa12', 'Nylon PA12 (SLS)', 45, 800),
  ('resin-grey', 'Standard resin, grey', 35, 500)
ON CONFLICT (id) DO NOTHING;
