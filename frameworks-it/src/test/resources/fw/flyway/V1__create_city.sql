CREATE TABLE fw_flyway_city (
    id   INT PRIMARY KEY,
    name VARCHAR(40) NOT NULL
);
INSERT INTO fw_flyway_city (id, name) VALUES (1, 'Amsterdam'), (2, 'Bern'), (3, 'Cork');
