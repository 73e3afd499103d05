-- DDL and data in one migration: a cached SELECT * of the table must change shape and content afterwards.
ALTER TABLE fw_flyway_city ADD COLUMN population INT;
UPDATE fw_flyway_city SET population = id * 1000;
INSERT INTO fw_flyway_city (id, name, population) VALUES (4, 'Delft', 4000);
