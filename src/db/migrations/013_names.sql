-- A name a person gives each server (any type), shown wherever servers are listed or picked; without one the
-- dashboard shows the type and address.
ALTER TABLE servers ADD COLUMN label text;
