INSERT INTO fw_boot_note (id, body) VALUES (1, 'first note');
INSERT INTO fw_boot_note (id, body) VALUES (2, 'second note');
