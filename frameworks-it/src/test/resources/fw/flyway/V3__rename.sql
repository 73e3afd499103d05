UPDATE fw_flyway_city SET name = UPPER(name) WHERE id = 1;
DELETE FROM fw_flyway_city WHERE id = 3;
