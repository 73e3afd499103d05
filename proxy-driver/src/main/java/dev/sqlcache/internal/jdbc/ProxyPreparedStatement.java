package dev.sqlcache.internal.jdbc;

import dev.sqlcache.internal.engine.QueryPlan;
import dev.sqlcache.internal.engine.SqlCall;
import dev.sqlcache.internal.key.ArrayParameter;
import dev.sqlcache.internal.key.BoundParameters;
import dev.sqlcache.internal.key.ParameterType;
import dev.sqlcache.internal.resultset.RealQuery;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.TimeZone;
import java.util.UUID;

/**
 * A prepared statement: analysed once when prepared, its bound values recorded (and passed on unchanged) so that
 * they take part in the cache key. A value the key cannot represent exactly (a stream, a LOB, an unknown object)
 * makes the execution pass through uncached.
 */
public class ProxyPreparedStatement extends PreparedStatementDelegate {

    private final QueryPlan plan;
    private final boolean readsMayBeCached;
    private final BoundParameters parameters = new BoundParameters();
    /** The real query, as one object per statement rather than one per execution. */
    private final RealQuery realQuery = () -> {
        reachedReal();
        return preparedDelegate().executeQuery();
    };
    /** The real calls of the other executions, likewise: one object each per statement, not a lambda per call. */
    private final SqlCall<Integer> realUpdate = () -> preparedDelegate().executeUpdate();
    private final SqlCall<Long> realLargeUpdate = () -> preparedDelegate().executeLargeUpdate();
    private final SqlCall<Boolean> realExecute = () -> preparedDelegate().execute();
    private final SqlCall<ResultSet> realUncachedQuery = () -> wrapOwn(preparedDelegate().executeQuery());

    /** For subclasses whose reads are never cached (callable statements). */
    ProxyPreparedStatement(PreparedStatement delegate, ProxyConnection connection, String sql) throws SQLException {
        this(delegate, connection, sql, false);
    }

    ProxyPreparedStatement(PreparedStatement delegate, ProxyConnection connection, String sql,
                           boolean readsMayBeCached) throws SQLException {
        super(delegate, connection, sql);
        this.plan = plan(sql);
        this.readsMayBeCached = readsMayBeCached;
    }

    /** The plan of the SQL this statement was prepared with. */
    final QueryPlan preparedPlan() {
        return plan;
    }

    // ---- execution

    @Override
    public ResultSet executeQuery() throws SQLException {
        if (!readsMayBeCached) {
            return run(plan, parameters, realUncachedQuery);
        }
        return read(plan, parameters, realQuery);
    }

    @Override
    public boolean execute() throws SQLException {
        if (readsMayBeCached && plan.cacheable()) {
            read(plan, parameters, realQuery);
            return true;
        }
        return run(plan, parameters, realExecute);
    }

    /**
     * JDBC forbids a prepared statement's query-string methods; H2, PostgreSQL and MariaDB fail them, each in its
     * own way. The real statement answers, never the cache: a hit would serve rows where the driver fails.
     */
    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        return run(plan(sql), () -> wrapOwn(delegate.executeQuery(sql)));
    }

    /** {@link #executeQuery(String)}: the real statement answers. */
    @Override
    public boolean execute(String sql) throws SQLException {
        return run(plan(sql), () -> delegate.execute(sql));
    }

    @Override
    public int executeUpdate() throws SQLException {
        return run(plan, parameters, realUpdate);
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return run(plan, parameters, realLargeUpdate);
    }

    @Override
    public void addBatch() throws SQLException {
        reachedReal();
        preparedDelegate().addBatch();
        batched(plan);
        // Drivers differ on whether values survive addBatch(); forgetting them can only cost a cache hit.
        parameters.clear();
    }

    @Override
    public void clearParameters() throws SQLException {
        reachedReal();
        preparedDelegate().clearParameters();
        parameters.clear();
    }

    @Override
    public java.sql.ResultSetMetaData getMetaData() throws SQLException {
        // PostgreSQL may describe the statement on the server for it: what the server says is the statement's.
        reachedReal();
        return super.getMetaData();
    }

    @Override
    public java.sql.ParameterMetaData getParameterMetaData() throws SQLException {
        reachedReal();
        return super.getParameterMetaData();
    }

    private ResultSet wrapOwn(ResultSet real) {
        return real == null ? null : new ProxyResultSet(real, this, updatablePlan());
    }

    private PreparedStatement preparedDelegate() {
        return (PreparedStatement) delegate;
    }

    // ---- values that can be keyed exactly

    @Override
    public void setNull(int index, int sqlType) throws SQLException {
        preparedDelegate().setNull(index, sqlType);
        parameters.set(index, ParameterType.NULL, sqlType);
    }

    @Override
    public void setNull(int index, int sqlType, String typeName) throws SQLException {
        preparedDelegate().setNull(index, sqlType, typeName);
        parameters.set(index, ParameterType.NULL, new Object[] {sqlType, typeName});
    }

    @Override
    public void setBoolean(int index, boolean x) throws SQLException {
        preparedDelegate().setBoolean(index, x);
        parameters.set(index, ParameterType.BOOLEAN, x);
    }

    @Override
    public void setByte(int index, byte x) throws SQLException {
        preparedDelegate().setByte(index, x);
        parameters.set(index, ParameterType.BYTE, x);
    }

    @Override
    public void setShort(int index, short x) throws SQLException {
        preparedDelegate().setShort(index, x);
        parameters.set(index, ParameterType.SHORT, x);
    }

    @Override
    public void setInt(int index, int x) throws SQLException {
        preparedDelegate().setInt(index, x);
        parameters.set(index, ParameterType.INT, x);
    }

    @Override
    public void setLong(int index, long x) throws SQLException {
        preparedDelegate().setLong(index, x);
        parameters.set(index, ParameterType.LONG, x);
    }

    @Override
    public void setFloat(int index, float x) throws SQLException {
        preparedDelegate().setFloat(index, x);
        parameters.set(index, ParameterType.FLOAT, x);
    }

    @Override
    public void setDouble(int index, double x) throws SQLException {
        preparedDelegate().setDouble(index, x);
        parameters.set(index, ParameterType.DOUBLE, x);
    }

    @Override
    public void setBigDecimal(int index, BigDecimal x) throws SQLException {
        preparedDelegate().setBigDecimal(index, x);
        parameters.set(index, ParameterType.BIG_DECIMAL, x);
    }

    @Override
    public void setString(int index, String x) throws SQLException {
        preparedDelegate().setString(index, x);
        parameters.set(index, ParameterType.STRING, x);
    }

    @Override
    public void setNString(int index, String x) throws SQLException {
        preparedDelegate().setNString(index, x);
        parameters.set(index, ParameterType.NSTRING, x);
    }

    @Override
    public void setBytes(int index, byte[] x) throws SQLException {
        preparedDelegate().setBytes(index, x);
        parameters.set(index, ParameterType.BYTES, x);
    }

    @Override
    public void setDate(int index, Date x) throws SQLException {
        preparedDelegate().setDate(index, x);
        parameters.set(index, ParameterType.DATE, x);
    }

    @Override
    public void setDate(int index, Date x, Calendar cal) throws SQLException {
        preparedDelegate().setDate(index, x, cal);
        setWithCalendar(index, ParameterType.CALENDAR_DATE, x, cal);
    }

    @Override
    public void setTime(int index, Time x) throws SQLException {
        preparedDelegate().setTime(index, x);
        parameters.set(index, ParameterType.TIME, x);
    }

    @Override
    public void setTime(int index, Time x, Calendar cal) throws SQLException {
        preparedDelegate().setTime(index, x, cal);
        setWithCalendar(index, ParameterType.CALENDAR_TIME, x, cal);
    }

    @Override
    public void setTimestamp(int index, Timestamp x) throws SQLException {
        preparedDelegate().setTimestamp(index, x);
        parameters.set(index, ParameterType.TIMESTAMP, x);
    }

    @Override
    public void setTimestamp(int index, Timestamp x, Calendar cal) throws SQLException {
        preparedDelegate().setTimestamp(index, x, cal);
        setWithCalendar(index, ParameterType.CALENDAR_TIMESTAMP, x, cal);
    }

    private void setWithCalendar(int index, ParameterType type, Object value, Calendar cal) {
        if (value != null && cal != null && !namedByItsZone(cal)) {
            parameters.setUnsupported(index);
        } else {
            parameters.set(index, type, withCalendar(value, cal));
        }
    }

    private static final long DEFAULT_GREGORIAN_CHANGE = new GregorianCalendar().getGregorianChange().getTime();

    /**
     * Whether the calendar's zone id says all the drivers convert with: a plain Gregorian calendar (MariaDB's driver
     * reads its fields; a Buddhist one counts other years) whose zone has the rules of the standard zone of that id
     * (an application may name its own {@code SimpleTimeZone} "UTC" with any offset). Only then is the id its key.
     */
    static boolean namedByItsZone(Calendar cal) {
        if (cal.getClass() != GregorianCalendar.class
                || ((GregorianCalendar) cal).getGregorianChange().getTime() != DEFAULT_GREGORIAN_CHANGE) {
            return false;
        }
        TimeZone zone = cal.getTimeZone();
        return TimeZone.getTimeZone(zone.getID()).hasSameRules(zone);
    }

    private static Object withCalendar(Object value, Calendar cal) {
        return value == null ? null : new Object[] {value, cal == null ? null : cal.getTimeZone().getID()};
    }

    @Override
    public void setObject(int index, Object x) throws SQLException {
        preparedDelegate().setObject(index, x);
        record(index, x, null);
    }

    @Override
    public void setObject(int index, Object x, int targetSqlType) throws SQLException {
        preparedDelegate().setObject(index, x, targetSqlType);
        record(index, x, new Object[] {targetSqlType});
    }

    @Override
    public void setObject(int index, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        preparedDelegate().setObject(index, x, targetSqlType, scaleOrLength);
        record(index, x, new Object[] {targetSqlType, scaleOrLength});
    }

    @Override
    public void setObject(int index, Object x, SQLType targetSqlType) throws SQLException {
        preparedDelegate().setObject(index, x, targetSqlType);
        record(index, x, new Object[] {targetSqlType == null ? null : targetSqlType.getVendor() + "/" + targetSqlType.getName()});
    }

    @Override
    public void setObject(int index, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        preparedDelegate().setObject(index, x, targetSqlType, scaleOrLength);
        record(index, x, new Object[] {targetSqlType == null ? null : targetSqlType.getVendor() + "/" + targetSqlType.getName(),
                scaleOrLength});
    }

    /** setObject: keyed by the value's exact class, plus the target type when one was given. */
    private void record(int index, Object x, Object[] target) {
        ParameterType type = typeOf(x);
        Object value = x;
        ArrayParameter array;
        if (type == null && (array = ArrayParameter.ofBoundObject(x)) != null) {
            type = array.parameterType(); // a java.sql.Array or a Java array: its elements, read now
            value = array;
        }
        if (type == null) {
            parameters.setUnsupported(index);
        } else if (target == null) {
            parameters.set(index, type, value);
        } else {
            Object[] composite = new Object[target.length + 2];
            composite[0] = type.name();
            composite[1] = value;
            System.arraycopy(target, 0, composite, 2, target.length);
            parameters.set(index, ParameterType.OBJECT_WITH_TARGET_TYPE, composite);
        }
    }

    private static ParameterType typeOf(Object x) {
        if (x == null) {
            return ParameterType.NULL;
        }
        if (x instanceof String) {
            return ParameterType.STRING;
        } else if (x instanceof Integer) {
            return ParameterType.INT;
        } else if (x instanceof Long) {
            return ParameterType.LONG;
        } else if (x instanceof BigDecimal) {
            return ParameterType.BIG_DECIMAL;
        } else if (x instanceof Boolean) {
            return ParameterType.BOOLEAN;
        } else if (x instanceof Short) {
            return ParameterType.SHORT;
        } else if (x instanceof Byte) {
            return ParameterType.BYTE;
        } else if (x instanceof Double) {
            return ParameterType.DOUBLE;
        } else if (x instanceof Float) {
            return ParameterType.FLOAT;
        } else if (x instanceof BigInteger) {
            return ParameterType.BIG_INTEGER;
        } else if (x instanceof byte[]) {
            return ParameterType.BYTES;
        } else if (x instanceof Timestamp) {
            return ParameterType.TIMESTAMP;
        } else if (x instanceof Date) {
            return ParameterType.DATE;
        } else if (x instanceof Time) {
            return ParameterType.TIME;
        } else if (x instanceof LocalDate) {
            return ParameterType.LOCAL_DATE;
        } else if (x instanceof LocalDateTime) {
            return ParameterType.LOCAL_DATE_TIME;
        } else if (x instanceof LocalTime) {
            return ParameterType.LOCAL_TIME;
        } else if (x instanceof OffsetDateTime) {
            return ParameterType.OFFSET_DATE_TIME;
        } else if (x instanceof OffsetTime) {
            return ParameterType.OFFSET_TIME;
        } else if (x instanceof Instant) {
            return ParameterType.INSTANT;
        } else if (x instanceof UUID) {
            return ParameterType.UUID;
        }
        return null;
    }

    // ---- values that cannot be keyed: passed on, and the execution is not cached

    @Override
    public void setAsciiStream(int index, InputStream x, int length) throws SQLException {
        preparedDelegate().setAsciiStream(index, x, length);
        parameters.setUnsupported(index);
    }

    @Override
    public void setAsciiStream(int index, InputStream x, long length) throws SQLException {
        preparedDelegate().setAsciiStream(index, x, length);
        parameters.setUnsupported(index);
    }

    @Override
    public void setAsciiStream(int index, InputStream x) throws SQLException {
        preparedDelegate().setAsciiStream(index, x);
        parameters.setUnsupported(index);
    }

    @Override
    public void setUnicodeStream(int index, InputStream x, int length) throws SQLException {
        preparedDelegate().setUnicodeStream(index, x, length);
        parameters.setUnsupported(index);
    }

    @Override
    public void setBinaryStream(int index, InputStream x, int length) throws SQLException {
        preparedDelegate().setBinaryStream(index, x, length);
        parameters.setUnsupported(index);
    }

    @Override
    public void setBinaryStream(int index, InputStream x, long length) throws SQLException {
        preparedDelegate().setBinaryStream(index, x, length);
        parameters.setUnsupported(index);
    }

    @Override
    public void setBinaryStream(int index, InputStream x) throws SQLException {
        preparedDelegate().setBinaryStream(index, x);
        parameters.setUnsupported(index);
    }

    @Override
    public void setCharacterStream(int index, Reader reader, int length) throws SQLException {
        preparedDelegate().setCharacterStream(index, reader, length);
        parameters.setUnsupported(index);
    }

    @Override
    public void setCharacterStream(int index, Reader reader, long length) throws SQLException {
        preparedDelegate().setCharacterStream(index, reader, length);
        parameters.setUnsupported(index);
    }

    @Override
    public void setCharacterStream(int index, Reader reader) throws SQLException {
        preparedDelegate().setCharacterStream(index, reader);
        parameters.setUnsupported(index);
    }

    @Override
    public void setNCharacterStream(int index, Reader value, long length) throws SQLException {
        preparedDelegate().setNCharacterStream(index, value, length);
        parameters.setUnsupported(index);
    }

    @Override
    public void setNCharacterStream(int index, Reader value) throws SQLException {
        preparedDelegate().setNCharacterStream(index, value);
        parameters.setUnsupported(index);
    }

    @Override
    public void setBlob(int index, Blob x) throws SQLException {
        preparedDelegate().setBlob(index, x);
        parameters.setUnsupported(index);
    }

    @Override
    public void setBlob(int index, InputStream inputStream, long length) throws SQLException {
        preparedDelegate().setBlob(index, inputStream, length);
        parameters.setUnsupported(index);
    }

    @Override
    public void setBlob(int index, InputStream inputStream) throws SQLException {
        preparedDelegate().setBlob(index, inputStream);
        parameters.setUnsupported(index);
    }

    @Override
    public void setClob(int index, Clob x) throws SQLException {
        preparedDelegate().setClob(index, x);
        parameters.setUnsupported(index);
    }

    @Override
    public void setClob(int index, Reader reader, long length) throws SQLException {
        preparedDelegate().setClob(index, reader, length);
        parameters.setUnsupported(index);
    }

    @Override
    public void setClob(int index, Reader reader) throws SQLException {
        preparedDelegate().setClob(index, reader);
        parameters.setUnsupported(index);
    }

    @Override
    public void setNClob(int index, NClob value) throws SQLException {
        preparedDelegate().setNClob(index, value);
        parameters.setUnsupported(index);
    }

    @Override
    public void setNClob(int index, Reader reader, long length) throws SQLException {
        preparedDelegate().setNClob(index, reader, length);
        parameters.setUnsupported(index);
    }

    @Override
    public void setNClob(int index, Reader reader) throws SQLException {
        preparedDelegate().setNClob(index, reader);
        parameters.setUnsupported(index);
    }

    @Override
    public void setArray(int index, Array x) throws SQLException {
        preparedDelegate().setArray(index, x);
        parameters.setArray(index, x);
    }

    @Override
    public void setRef(int index, Ref x) throws SQLException {
        preparedDelegate().setRef(index, x);
        parameters.setUnsupported(index);
    }

    @Override
    public void setURL(int index, URL x) throws SQLException {
        preparedDelegate().setURL(index, x);
        parameters.setUnsupported(index);
    }

    @Override
    public void setRowId(int index, RowId x) throws SQLException {
        preparedDelegate().setRowId(index, x);
        parameters.setUnsupported(index);
    }

    @Override
    public void setSQLXML(int index, SQLXML xmlObject) throws SQLException {
        preparedDelegate().setSQLXML(index, xmlObject);
        parameters.setUnsupported(index);
    }
}
