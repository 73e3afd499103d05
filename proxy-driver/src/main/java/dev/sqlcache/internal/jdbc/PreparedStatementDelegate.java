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
 * Forwards every {@link PreparedStatement} method to the real driver's object, unchanged.
 * Generated once from the JDK interface so that no method is forgotten; behaviour that differs from the real
 * driver lives only in the subclass, which overrides just what it intercepts.
 */
@SuppressWarnings({"deprecation", "RedundantThrows"})
abstract class PreparedStatementDelegate extends ProxyStatement implements PreparedStatement {

    private final PreparedStatement preparedStatement;

    protected PreparedStatementDelegate(PreparedStatement delegate, ProxyConnection connection, String sql) throws SQLException {
        super(delegate, connection, sql);
        this.preparedStatement = delegate;
    }

    @Override
    public void addBatch() throws SQLException {
        preparedStatement.addBatch();
    }

    @Override
    public void clearParameters() throws SQLException {
        preparedStatement.clearParameters();
    }

    @Override
    public boolean execute() throws SQLException {
        return preparedStatement.execute();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return preparedStatement.executeLargeUpdate();
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return preparedStatement.executeQuery();
    }

    @Override
    public int executeUpdate() throws SQLException {
        return preparedStatement.executeUpdate();
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        return preparedStatement.getMetaData();
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        return preparedStatement.getParameterMetaData();
    }

    @Override
    public void setArray(int p1, Array p2) throws SQLException {
        preparedStatement.setArray(p1, p2);
    }

    @Override
    public void setAsciiStream(int p1, InputStream p2) throws SQLException {
        preparedStatement.setAsciiStream(p1, p2);
    }

    @Override
    public void setAsciiStream(int p1, InputStream p2, int p3) throws SQLException {
        preparedStatement.setAsciiStream(p1, p2, p3);
    }

    @Override
    public void setAsciiStream(int p1, InputStream p2, long p3) throws SQLException {
        preparedStatement.setAsciiStream(p1, p2, p3);
    }

    @Override
    public void setBigDecimal(int p1, BigDecimal p2) throws SQLException {
        preparedStatement.setBigDecimal(p1, p2);
    }

    @Override
    public void setBinaryStream(int p1, InputStream p2) throws SQLException {
        preparedStatement.setBinaryStream(p1, p2);
    }

    @Override
    public void setBinaryStream(int p1, InputStream p2, int p3) throws SQLException {
        preparedStatement.setBinaryStream(p1, p2, p3);
    }

    @Override
    public void setBinaryStream(int p1, InputStream p2, long p3) throws SQLException {
        preparedStatement.setBinaryStream(p1, p2, p3);
    }

    @Override
    public void setBlob(int p1, InputStream p2) throws SQLException {
        preparedStatement.setBlob(p1, p2);
    }

    @Override
    public void setBlob(int p1, Blob p2) throws SQLException {
        preparedStatement.setBlob(p1, p2);
    }

    @Override
    public void setBlob(int p1, InputStream p2, long p3) throws SQLException {
        preparedStatement.setBlob(p1, p2, p3);
    }

    @Override
    public void setBoolean(int p1, boolean p2) throws SQLException {
        preparedStatement.setBoolean(p1, p2);
    }

    @Override
    public void setByte(int p1, byte p2) throws SQLException {
        preparedStatement.setByte(p1, p2);
    }

    @Override
    public void setBytes(int p1, byte[] p2) throws SQLException {
        preparedStatement.setBytes(p1, p2);
    }

    @Override
    public void setCharacterStream(int p1, Reader p2) throws SQLException {
        preparedStatement.setCharacterStream(p1, p2);
    }

    @Override
    public void setCharacterStream(int p1, Reader p2, int p3) throws SQLException {
        preparedStatement.setCharacterStream(p1, p2, p3);
    }

    @Override
    public void setCharacterStream(int p1, Reader p2, long p3) throws SQLException {
        preparedStatement.setCharacterStream(p1, p2, p3);
    }

    @Override
    public void setClob(int p1, Reader p2) throws SQLException {
        preparedStatement.setClob(p1, p2);
    }

    @Override
    public void setClob(int p1, Clob p2) throws SQLException {
        preparedStatement.setClob(p1, p2);
    }

    @Override
    public void setClob(int p1, Reader p2, long p3) throws SQLException {
        preparedStatement.setClob(p1, p2, p3);
    }

    @Override
    public void setDate(int p1, Date p2) throws SQLException {
        preparedStatement.setDate(p1, p2);
    }

    @Override
    public void setDate(int p1, Date p2, Calendar p3) throws SQLException {
        preparedStatement.setDate(p1, p2, p3);
    }

    @Override
    public void setDouble(int p1, double p2) throws SQLException {
        preparedStatement.setDouble(p1, p2);
    }

    @Override
    public void setFloat(int p1, float p2) throws SQLException {
        preparedStatement.setFloat(p1, p2);
    }

    @Override
    public void setInt(int p1, int p2) throws SQLException {
        preparedStatement.setInt(p1, p2);
    }

    @Override
    public void setLong(int p1, long p2) throws SQLException {
        preparedStatement.setLong(p1, p2);
    }

    @Override
    public void setNCharacterStream(int p1, Reader p2) throws SQLException {
        preparedStatement.setNCharacterStream(p1, p2);
    }

    @Override
    public void setNCharacterStream(int p1, Reader p2, long p3) throws SQLException {
        preparedStatement.setNCharacterStream(p1, p2, p3);
    }

    @Override
    public void setNClob(int p1, Reader p2) throws SQLException {
        preparedStatement.setNClob(p1, p2);
    }

    @Override
    public void setNClob(int p1, NClob p2) throws SQLException {
        preparedStatement.setNClob(p1, p2);
    }

    @Override
    public void setNClob(int p1, Reader p2, long p3) throws SQLException {
        preparedStatement.setNClob(p1, p2, p3);
    }

    @Override
    public void setNString(int p1, String p2) throws SQLException {
        preparedStatement.setNString(p1, p2);
    }

    @Override
    public void setNull(int p1, int p2) throws SQLException {
        preparedStatement.setNull(p1, p2);
    }

    @Override
    public void setNull(int p1, int p2, String p3) throws SQLException {
        preparedStatement.setNull(p1, p2, p3);
    }

    @Override
    public void setObject(int p1, Object p2) throws SQLException {
        preparedStatement.setObject(p1, p2);
    }

    @Override
    public void setObject(int p1, Object p2, int p3) throws SQLException {
        preparedStatement.setObject(p1, p2, p3);
    }

    @Override
    public void setObject(int p1, Object p2, SQLType p3) throws SQLException {
        preparedStatement.setObject(p1, p2, p3);
    }

    @Override
    public void setObject(int p1, Object p2, int p3, int p4) throws SQLException {
        preparedStatement.setObject(p1, p2, p3, p4);
    }

    @Override
    public void setObject(int p1, Object p2, SQLType p3, int p4) throws SQLException {
        preparedStatement.setObject(p1, p2, p3, p4);
    }

    @Override
    public void setRef(int p1, Ref p2) throws SQLException {
        preparedStatement.setRef(p1, p2);
    }

    @Override
    public void setRowId(int p1, RowId p2) throws SQLException {
        preparedStatement.setRowId(p1, p2);
    }

    @Override
    public void setSQLXML(int p1, SQLXML p2) throws SQLException {
        preparedStatement.setSQLXML(p1, p2);
    }

    @Override
    public void setShort(int p1, short p2) throws SQLException {
        preparedStatement.setShort(p1, p2);
    }

    @Override
    public void setString(int p1, String p2) throws SQLException {
        preparedStatement.setString(p1, p2);
    }

    @Override
    public void setTime(int p1, Time p2) throws SQLException {
        preparedStatement.setTime(p1, p2);
    }

    @Override
    public void setTime(int p1, Time p2, Calendar p3) throws SQLException {
        preparedStatement.setTime(p1, p2, p3);
    }

    @Override
    public void setTimestamp(int p1, Timestamp p2) throws SQLException {
        preparedStatement.setTimestamp(p1, p2);
    }

    @Override
    public void setTimestamp(int p1, Timestamp p2, Calendar p3) throws SQLException {
        preparedStatement.setTimestamp(p1, p2, p3);
    }

    @Override
    public void setURL(int p1, URL p2) throws SQLException {
        preparedStatement.setURL(p1, p2);
    }

    @Override
    public void setUnicodeStream(int p1, InputStream p2, int p3) throws SQLException {
        preparedStatement.setUnicodeStream(p1, p2, p3);
    }
}
