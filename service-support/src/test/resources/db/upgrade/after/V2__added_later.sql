ALTER TABLE service_table ADD COLUMN added_later TEXT;
