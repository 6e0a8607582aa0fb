-- The workshop: what each material prints with, and the printers.
INSERT INTO materials (id, technology, density_g_cm3, rate_cm3_h) VALUES
  ('pla-white', 'FDM', 1.24, 12),
  ('petg-black', 'FDM', 1.27, 10),
  ('resin-grey', 'SLA', 1.15, 40),
  ('nylon-pa12', 'SLS', 1.01, 60)
ON CONFLICT (id) DO NOTHING;

INSERT INTO printers (id, name, technology, materials, build_x_mm, build_y_mm, build_z_mm) VALUES
  ('fdm-1', 'Prusa bay 1', 'FDM', '{pla-white,petg-black}', 250, 210, 210),
  ('fdm-2', 'Prusa bay 2', 'FDM', '{pla-white,petg-black}', 250, 210, 210),
  ('fdm-xl', 'Large format FDM', 'FDM', '{pla-white}', 360, 360, 360),
  ('sla-1', 'Resin printer', 'SLA', '{resin-grey}', 145, 145, 185),
  ('sls-1', 'Powder bed (SLS)', 'SLS', '{nylon-pa12}', 165, 165, 300)
ON CONFLICT (id) DO NOTHING;
