package shop;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The application: prices by product, read and changed with plain JDBC on whatever URL it is given. */
public final class Catalog {

    private final String url;

    public Catalog(String url) {
        this.url = url;
    }

    public void create() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            s.execute("create table product (id int primary key, price int)");
            s.execute("insert into product values (1, 100), (2, 250)");
        }
    }

    public int price(int id) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             PreparedStatement s = c.prepareStatement("select price from product where id = ?")) {
            s.setInt(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    public void setPrice(int id, int price) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             PreparedStatement s = c.prepareStatement("update product set price = ? where id = ?")) {
            s.setInt(1, price);
            s.setInt(2, id);
            s.executeUpdate();
        }
    }
}
