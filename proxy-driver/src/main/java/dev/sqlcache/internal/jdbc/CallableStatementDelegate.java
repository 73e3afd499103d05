package dev.sqlcache.internal.jdbc;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.*;
import java.util.Calendar;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * Forwards every {@link CallableStatement} method to the real driver's object, unchanged.
 * Generated once from the JDK interface so that no method is forgotten; behaviour that differs from the real
 * driver lives only in the subclass, which overrides just what it intercepts.
 */
@SuppressWarnings({"deprecation", "RedundantThrows"})
abstract class CallableStatementDelegate extends ProxyPreparedStatement implements CallableStatement {

    private final CallableStatement callableStatement;

    protected CallableStatementDelegate(CallableStatement delegate, ProxyConnection connection, String sql) throws SQLException {
        super(delegate, connection, sql);
        this.callableStatement = delegate;
    }

    @Override
    public Array getArray(String p1) throws SQLException {
        return callableStatement.getArray(p1);
    }

    @Override
    public Array getArray(int p1) throws SQLException {
        return callableStatement.getArray(p1);
    }

    @Override
    public BigDecimal getBigDecimal(String p1) throws SQLException {
        return callableStatement.getBigDecimal(p1);
    }

    @Override
    public BigDecimal getBigDecimal(int p1) throws SQLException {
        return callableStatement.getBigDecimal(p1);
    }

    @Override
    public BigDecimal getBigDecimal(int p1, int p2) throws SQLException {
        return callableStatement.getBigDecimal(p1, p2);
    }

    @Override
    public Blob getBlob(String p1) throws SQLException {
        return callableStatement.getBlob(p1);
    }

    @Override
    public Blob getBlob(int p1) throws SQLException {
        return callableStatement.getBlob(p1);
    }

    @Override
    public boolean getBoolean(String p1) throws SQLException {
        return callableStatement.getBoolean(p1);
    }

    @Override
    public boolean getBoolean(int p1) throws SQLException {
        return callableStatement.getBoolean(p1);
    }

    @Override
    public byte getByte(String p1) throws SQLException {
        return callableStatement.getByte(p1);
    }

    @Override
    public byte getByte(int p1) throws SQLException {
        return callableStatement.getByte(p1);
    }

    @Override
    public byte[] getBytes(String p1) throws SQLException {
        return callableStatement.getBytes(p1);
    }

    @Override
    public byte[] getBytes(int p1) throws SQLException {
        return callableStatement.getBytes(p1);
    }

    @Override
    public Reader getCharacterStream(String p1) throws SQLException {
        return callableStatement.getCharacterStream(p1);
    }

    @Override
    public Reader getCharacterStream(int p1) throws SQLException {
        return callableStatement.getCharacterStream(p1);
    }

    @Override
    public Clob getClob(String p1) throws SQLException {
        return callableStatement.getClob(p1);
    }

    @Override
    public Clob getClob(int p1) throws SQLException {
        return callableStatement.getClob(p1);
    }

    @Override
    public Date getDate(String p1) throws SQLException {
        return callableStatement.getDate(p1);
    }

    @Override
    public Date getDate(int p1) throws SQLException {
        return callableStatement.getDate(p1);
    }

    @Override
    public Date getDate(String p1, Calendar p2) throws SQLException {
        return callableStatement.getDate(p1, p2);
    }

    @Override
    public Date getDate(int p1, Calendar p2) throws SQLException {
        return callableStatement.getDate(p1, p2);
    }

    @Override
    public double getDouble(String p1) throws SQLException {
        return callableStatement.getDouble(p1);
    }

    @Override
    public double getDouble(int p1) throws SQLException {
        return callableStatement.getDouble(p1);
    }

    @Override
    public float getFloat(String p1) throws SQLException {
        return callableStatement.getFloat(p1);
    }

    @Override
    public float getFloat(int p1) throws SQLException {
        return callableStatement.getFloat(p1);
    }

    @Override
    public int getInt(String p1) throws SQLException {
        return callableStatement.getInt(p1);
    }

    @Override
    public int getInt(int p1) throws SQLException {
        return callableStatement.getInt(p1);
    }

    @Override
    public long getLong(String p1) throws SQLException {
        return callableStatement.getLong(p1);
    }

    @Override
    public long getLong(int p1) throws SQLException {
        return callableStatement.getLong(p1);
    }

    @Override
    public Reader getNCharacterStream(String p1) throws SQLException {
        return callableStatement.getNCharacterStream(p1);
    }

    @Override
    public Reader getNCharacterStream(int p1) throws SQLException {
        return callableStatement.getNCharacterStream(p1);
    }

    @Override
    public NClob getNClob(String p1) throws SQLException {
        return callableStatement.getNClob(p1);
    }

    @Override
    public NClob getNClob(int p1) throws SQLException {
        return callableStatement.getNClob(p1);
    }

    @Override
    public String getNString(String p1) throws SQLException {
        return callableStatement.getNString(p1);
    }

    @Override
    public String getNString(int p1) throws SQLException {
        return callableStatement.getNString(p1);
    }

    @Override
    public Object getObject(String p1) throws SQLException {
        return callableStatement.getObject(p1);
    }

    @Override
    public Object getObject(int p1) throws SQLException {
        return callableStatement.getObject(p1);
    }

    @Override
    public <T> T getObject(String p1, Class<T> p2) throws SQLException {
        return callableStatement.getObject(p1, p2);
    }

    @Override
    public Object getObject(String p1, Map<String, Class<?>> p2) throws SQLException {
        return callableStatement.getObject(p1, p2);
    }

    @Override
    public <T> T getObject(int p1, Class<T> p2) throws SQLException {
        return callableStatement.getObject(p1, p2);
    }

    @Override
    public Object getObject(int p1, Map<String, Class<?>> p2) throws SQLException {
        return callableStatement.getObject(p1, p2);
    }

    @Override
    public Ref getRef(String p1) throws SQLException {
        return callableStatement.getRef(p1);
    }

    @Override
    public Ref getRef(int p1) throws SQLException {
        return callableStatement.getRef(p1);
    }

    @Override
    public RowId getRowId(String p1) throws SQLException {
        return callableStatement.getRowId(p1);
    }

    @Override
    public RowId getRowId(int p1) throws SQLException {
        return callableStatement.getRowId(p1);
    }

    @Override
    public SQLXML getSQLXML(String p1) throws SQLException {
        return callableStatement.getSQLXML(p1);
    }

    @Override
    public SQLXML getSQLXML(int p1) throws SQLException {
        return callableStatement.getSQLXML(p1);
    }

    @Override
    public short getShort(String p1) throws SQLException {
        return callableStatement.getShort(p1);
    }

    @Override
    public short getShort(int p1) throws SQLException {
        return callableStatement.getShort(p1);
    }

    @Override
    public String getString(String p1) throws SQLException {
        return callableStatement.getString(p1);
    }

    @Override
    public String getString(int p1) throws SQLException {
        return callableStatement.getString(p1);
    }

    @Override
    public Time getTime(String p1) throws SQLException {
        return callableStatement.getTime(p1);
    }

    @Override
    public Time getTime(int p1) throws SQLException {
        return callableStatement.getTime(p1);
    }

    @Override
    public Time getTime(String p1, Calendar p2) throws SQLException {
        return callableStatement.getTime(p1, p2);
    }

    @Override
    public Time getTime(int p1, Calendar p2) throws SQLException {
        return callableStatement.getTime(p1, p2);
    }

    @Override
    public Timestamp getTimestamp(String p1) throws SQLException {
        return callableStatement.getTimestamp(p1);
    }

    @Override
    public Timestamp getTimestamp(int p1) throws SQLException {
        return callableStatement.getTimestamp(p1);
    }

    @Override
    public Timestamp getTimestamp(String p1, Calendar p2) throws SQLException {
        return callableStatement.getTimestamp(p1, p2);
    }

    @Override
    public Timestamp getTimestamp(int p1, Calendar p2) throws SQLException {
        return callableStatement.getTimestamp(p1, p2);
    }

    @Override
    public URL getURL(String p1) throws SQLException {
        return callableStatement.getURL(p1);
    }

    @Override
    public URL getURL(int p1) throws SQLException {
        return callableStatement.getURL(p1);
    }

    @Override
    public void registerOutParameter(String p1, int p2) throws SQLException {
        callableStatement.registerOutParameter(p1, p2);
    }

    @Override
    public void registerOutParameter(String p1, SQLType p2) throws SQLException {
        callableStatement.registerOutParameter(p1, p2);
    }

    @Override
    public void registerOutParameter(int p1, int p2) throws SQLException {
        callableStatement.registerOutParameter(p1, p2);
    }

    @Override
    public void registerOutParameter(int p1, SQLType p2) throws SQLException {
        callableStatement.registerOutParameter(p1, p2);
    }

    @Override
    public void registerOutParameter(String p1, int p2, String p3) throws SQLException {
        callableStatement.registerOutParameter(p1, p2, p3);
    }

    @Override
    public void registerOutParameter(String p1, int p2, int p3) throws SQLException {
        callableStatement.registerOutParameter(p1, p2, p3);
    }

    @Override
    public void registerOutParameter(String p1, SQLType p2, String p3) throws SQLException {
        callableStatement.registerOutParameter(p1, p2, p3);
    }

    @Override
    public void registerOutParameter(String p1, SQLType p2, int p3) throws SQLException {
        callableStatement.registerOutParameter(p1, p2, p3);
    }

    @Override
    public void registerOutParameter(int p1, int p2, String p3) throws SQLException {
        callableStatement.registerOutParameter(p1, p2, p3);
    }

    @Override
    public void registerOutParameter(int p1, int p2, int p3) throws SQLException {
        callableStatement.registerOutParameter(p1, p2, p3);
    }

    @Override
    public void registerOutParameter(int p1, SQLType p2, String p3) throws SQLException {
        callableStatement.registerOutParameter(p1, p2, p3);
    }

    @Override
    public void registerOutParameter(int p1, SQLType p2, int p3) throws SQLException {
        callableStatement.registerOutParameter(p1, p2, p3);
    }

    @Override
    public void setAsciiStream(String p1, InputStream p2) throws SQLException {
        callableStatement.setAsciiStream(p1, p2);
    }

    @Override
    public void setAsciiStream(String p1, InputStream p2, int p3) throws SQLException {
        callableStatement.setAsciiStream(p1, p2, p3);
    }

    @Override
    public void setAsciiStream(String p1, InputStream p2, long p3) throws SQLException {
        callableStatement.setAsciiStream(p1, p2, p3);
    }

    @Override
    public void setBigDecimal(String p1, BigDecimal p2) throws SQLException {
        callableStatement.setBigDecimal(p1, p2);
    }

    @Override
    public void setBinaryStream(String p1, InputStream p2) throws SQLException {
        callableStatement.setBinaryStream(p1, p2);
    }

    @Override
    public void setBinaryStream(String p1, InputStream p2, int p3) throws SQLException {
        callableStatement.setBinaryStream(p1, p2, p3);
    }

    @Override
    public void setBinaryStream(String p1, InputStream p2, long p3) throws SQLException {
        callableStatement.setBinaryStream(p1, p2, p3);
    }

    @Override
    public void setBlob(String p1, InputStream p2) throws SQLException {
        callableStatement.setBlob(p1, p2);
    }

    @Override
    public void setBlob(String p1, Blob p2) throws SQLException {
        callableStatement.setBlob(p1, p2);
    }

    @Override
    public void setBlob(String p1, InputStream p2, long p3) throws SQLException {
        callableStatement.setBlob(p1, p2, p3);
    }

    @Override
    public void setBoolean(String p1, boolean p2) throws SQLException {
        callableStatement.setBoolean(p1, p2);
    }

    @Override
    public void setByte(String p1, byte p2) throws SQLException {
        callableStatement.setByte(p1, p2);
    }

    @Override
    public void setBytes(String p1, byte[] p2) throws SQLException {
        callableStatement.setBytes(p1, p2);
    }

    @Override
    public void setCharacterStream(String p1, Reader p2) throws SQLException {
        callableStatement.setCharacterStream(p1, p2);
    }

    @Override
    public void setCharacterStream(String p1, Reader p2, int p3) throws SQLException {
        callableStatement.setCharacterStream(p1, p2, p3);
    }

    @Override
    public void setCharacterStream(String p1, Reader p2, long p3) throws SQLException {
        callableStatement.setCharacterStream(p1, p2, p3);
    }

    @Override
    public void setClob(String p1, Reader p2) throws SQLException {
        callableStatement.setClob(p1, p2);
    }

    @Override
    public void setClob(String p1, Clob p2) throws SQLException {
        callableStatement.setClob(p1, p2);
    }

    @Override
    public void setClob(String p1, Reader p2, long p3) throws SQLException {
        callableStatement.setClob(p1, p2, p3);
    }

    @Override
    public void setDate(String p1, Date p2) throws SQLException {
        callableStatement.setDate(p1, p2);
    }

    @Override
    public void setDate(String p1, Date p2, Calendar p3) throws SQLException {
        callableStatement.setDate(p1, p2, p3);
    }

    @Override
    public void setDouble(String p1, double p2) throws SQLException {
        callableStatement.setDouble(p1, p2);
    }

    @Override
    public void setFloat(String p1, float p2) throws SQLException {
        callableStatement.setFloat(p1, p2);
    }

    @Override
    public void setInt(String p1, int p2) throws SQLException {
        callableStatement.setInt(p1, p2);
    }

    @Override
    public void setLong(String p1, long p2) throws SQLException {
        callableStatement.setLong(p1, p2);
    }

    @Override
    public void setNCharacterStream(String p1, Reader p2) throws SQLException {
        callableStatement.setNCharacterStream(p1, p2);
    }

    @Override
    public void setNCharacterStream(String p1, Reader p2, long p3) throws SQLException {
        callableStatement.setNCharacterStream(p1, p2, p3);
    }

    @Override
    public void setNClob(String p1, Reader p2) throws SQLException {
        callableStatement.setNClob(p1, p2);
    }

    @Override
    public void setNClob(String p1, NClob p2) throws SQLException {
        callableStatement.setNClob(p1, p2);
    }

    @Override
    public void setNClob(String p1, Reader p2, long p3) throws SQLException {
        callableStatement.setNClob(p1, p2, p3);
    }

    @Override
    public void setNString(String p1, String p2) throws SQLException {
        callableStatement.setNString(p1, p2);
    }

    @Override
    public void setNull(String p1, int p2) throws SQLException {
        callableStatement.setNull(p1, p2);
    }

    @Override
    public void setNull(String p1, int p2, String p3) throws SQLException {
        callableStatement.setNull(p1, p2, p3);
    }

    @Override
    public void setObject(String p1, Object p2) throws SQLException {
        callableStatement.setObject(p1, p2);
    }

    @Override
    public void setObject(String p1, Object p2, int p3) throws SQLException {
        callableStatement.setObject(p1, p2, p3);
    }

    @Override
    public void setObject(String p1, Object p2, SQLType p3) throws SQLException {
        callableStatement.setObject(p1, p2, p3);
    }

    @Override
    public void setObject(String p1, Object p2, int p3, int p4) throws SQLException {
        callableStatement.setObject(p1, p2, p3, p4);
    }

    @Override
    public void setObject(String p1, Object p2, SQLType p3, int p4) throws SQLException {
        callableStatement.setObject(p1, p2, p3, p4);
    }

    @Override
    public void setRowId(String p1, RowId p2) throws SQLException {
        callableStatement.setRowId(p1, p2);
    }

    @Override
    public void setSQLXML(String p1, SQLXML p2) throws SQLException {
        callableStatement.setSQLXML(p1, p2);
    }

    @Override
    public void setShort(String p1, short p2) throws SQLException {
        callableStatement.setShort(p1, p2);
    }

    @Override
    public void setString(String p1, String p2) throws SQLException {
        callableStatement.setString(p1, p2);
    }

    @Override
    public void setTime(String p1, Time p2) throws SQLException {
        callableStatement.setTime(p1, p2);
    }

    @Override
    public void setTime(String p1, Time p2, Calendar p3) throws SQLException {
        callableStatement.setTime(p1, p2, p3);
    }

    @Override
    public void setTimestamp(String p1, Timestamp p2) throws SQLException {
        callableStatement.setTimestamp(p1, p2);
    }

    @Override
    public void setTimestamp(String p1, Timestamp p2, Calendar p3) throws SQLException {
        callableStatement.setTimestamp(p1, p2, p3);
    }

    @Override
    public void setURL(String p1, URL p2) throws SQLException {
        callableStatement.setURL(p1, p2);
    }

    @Override
    public boolean wasNull() throws SQLException {
        return callableStatement.wasNull();
    }
}
