package shop;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The application: prices by product, read and changed through Boot's JdbcTemplate. */
@Component
public class Catalog {

    private final JdbcTemplate jdbc;

    public Catalog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void create() {
        jdbc.execute("create table product (id int primary key, price int)");
        jdbc.update("insert into product values (1, 100), (2, 250)");
    }

    public int price(int id) {
        return jdbc.queryForObject("select price from product where id = ?", Integer.class, id);
    }

    public void setPrice(int id, int price) {
        jdbc.update("update product set price = ? where id = ?", price, id);
    }
}
