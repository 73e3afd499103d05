package dev.sqlcache.spring.boot.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A plain Boot application: JDBC and Actuator starters, a DataSource from application.properties, no sqlcache code. */
@SpringBootApplication
public class ShopApplication {
}
