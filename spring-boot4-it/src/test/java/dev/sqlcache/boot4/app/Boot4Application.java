package dev.sqlcache.boot4.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A plain Boot 4 application: JDBC and Actuator starters, a DataSource from its properties, no sqlcache code. */
@SpringBootApplication
public class Boot4Application {
}
