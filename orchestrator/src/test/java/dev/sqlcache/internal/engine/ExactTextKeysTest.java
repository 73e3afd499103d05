package dev.sqlcache.internal.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which text key columns compare byte for byte, per database; everything else stays table-level. */
class ExactTextKeysTest {

    @Test
    void postgresNeedsPlainTextADeterministicCollationAndUtf8() {
        assertTrue(ExactTextKeys.postgres("text", true, true));
        assertTrue(ExactTextKeys.postgres("varchar", true, true));
        assertFalse(ExactTextKeys.postgres("text", false, true), "a non-deterministic collation: 'abc' = 'ABC'");
        assertFalse(ExactTextKeys.postgres("varchar", true, false), "another encoding");
        assertFalse(ExactTextKeys.postgres("bpchar", true, true), "char(n) pads");
        assertFalse(ExactTextKeys.postgres("citext", true, true), "citext folds case");
    }

    @Test
    void mariaDbNeedsANoPadBinaryUtf8mb4Collation() {
        assertTrue(ExactTextKeys.mariaDb("varchar", "utf8mb4", "utf8mb4_nopad_bin"));
        assertFalse(ExactTextKeys.mariaDb("varchar", "utf8mb4", "utf8mb4_bin"), "PAD SPACE: 'abc' = 'abc '");
        assertFalse(ExactTextKeys.mariaDb("varchar", "utf8mb4", "utf8mb4_general_ci"));
        assertFalse(ExactTextKeys.mariaDb("varchar", "utf8mb4", "utf8mb4_unicode_nopad_ci"));
        assertFalse(ExactTextKeys.mariaDb("varchar", "latin1", "latin1_nopad_bin"), "a charset that loses characters");
        assertFalse(ExactTextKeys.mariaDb("char", "utf8mb4", "utf8mb4_nopad_bin"));
        assertFalse(ExactTextKeys.mariaDb("varchar", null, null));
    }

    @Test
    void h2NeedsNoDatabaseCollation() {
        assertTrue(ExactTextKeys.h2("character varying", "OFF"));
        assertFalse(ExactTextKeys.h2("character varying", "ENGLISH STRENGTH PRIMARY"));
        assertFalse(ExactTextKeys.h2("character varying", null), "the setting could not be read");
        assertFalse(ExactTextKeys.h2("varchar_ignorecase", "OFF"));
    }
}
