package dev.sqlcache.internal.jdbc;

import java.sql.SQLException;
import java.sql.Wrapper;

/**
 * The {@link Wrapper} contract for every proxy: {@code unwrap} returns the proxy itself when it implements the
 * interface, else the real object when it does, else whatever the real object unwraps to.
 */
abstract class JdbcWrapper<T extends Wrapper> implements Wrapper {

    private final T wrapped;

    JdbcWrapper(T wrapped) {
        this.wrapped = wrapped;
    }

    @Override
    public <I> I unwrap(Class<I> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        if (iface.isInstance(wrapped)) {
            return iface.cast(wrapped);
        }
        return wrapped.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || iface.isInstance(wrapped) || wrapped.isWrapperFor(iface);
    }

    /** Monitoring tools expect the real driver's text (a prepared statement's SQL, for instance). */
    @Override
    public String toString() {
        return wrapped.toString();
    }
}
