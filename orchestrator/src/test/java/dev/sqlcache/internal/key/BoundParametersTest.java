package dev.sqlcache.internal.key;

import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.sql.Types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mutable value changed in place between binding and executing: some drivers send what it held when bound (H2,
 * pgjdbc), others what it holds when the statement runs (MariaDB), so no key made from either is trusted.
 */
class BoundParametersTest {

    @Test
    void aByteArrayChangedAfterBindingIsNotKeyable() {
        byte[] bytes = {1, 2, 3};
        BoundParameters p = new BoundParameters();
        p.set(1, ParameterType.BYTES, bytes);
        assertTrue(p.isKeyable(1));
        String before = CacheKeyBuilder.entryKey("t", new byte[0], "select ?", p, 0, 0);
        bytes[2] = 4;
        assertFalse(p.isKeyable(1), "changed in place");
        assertEquals(before, CacheKeyBuilder.entryKey("t", new byte[0], "select ?", p, 0, 0),
                "the key is still that of the value as bound");
        bytes[2] = 3;
        assertTrue(p.isKeyable(1), "back to what was bound");
        p.set(1, ParameterType.BYTES, bytes);
        bytes[0] = 9;
        p.set(1, ParameterType.BYTES, bytes);
        assertTrue(p.isKeyable(1), "bound again after the change");
    }

    @Test
    void aTimestampChangedAfterBindingIsNotKeyableAloneOrInAComposite() {
        Timestamp at = Timestamp.valueOf("2026-12-06 10:00:00.123456789");
        BoundParameters p = new BoundParameters();
        p.set(1, ParameterType.TIMESTAMP, at);
        p.set(2, ParameterType.CALENDAR_TIMESTAMP, new Object[] {at, "UTC"});
        p.set(3, ParameterType.OBJECT_WITH_TARGET_TYPE, new Object[] {"TIMESTAMP", at, Types.TIMESTAMP});
        assertTrue(p.isKeyable(3));
        at.setNanos(123456788);
        assertFalse(p.isKeyable(3));
        for (int i = 1; i <= 3; i++) {
            BoundParameters one = new BoundParameters();
            one.set(1, p.type(i), i == 1 ? at : new Object[] {at, "UTC"});
            at.setTime(at.getTime() + 1000);
            assertFalse(one.isKeyable(1), "index " + i);
        }
    }

    @Test
    void clearForgetsTheApplicationsObjects() {
        byte[] bytes = {1};
        BoundParameters p = new BoundParameters();
        p.set(1, ParameterType.BYTES, bytes);
        p.clear();
        bytes[0] = 2;
        p.set(1, ParameterType.INT, 1);
        assertTrue(p.isKeyable(1));
    }
}
