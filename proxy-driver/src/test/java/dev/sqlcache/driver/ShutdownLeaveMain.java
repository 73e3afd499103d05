package dev.sqlcache.driver;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

/**
 * Forked by {@link ShutdownLeaveTest}: joins through one sqlcache connection, then exits cleanly while another
 * shutdown hook takes {@code args[1]} ms (as an application server's graceful shutdown does); with a third argument
 * {@code open}, a second connection stays open through the exit (a pool the application never closed); with
 * {@code pool}, that connection is closed by another shutdown hook 300 ms into the exit (a pool closed by the
 * application's own hook, as Spring's context close does).
 */
public final class ShutdownLeaveMain {

    private ShutdownLeaveMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long hookMillis = Long.parseLong(args[1]);
        boolean keepOpen = args.length > 2 && ("open".equals(args[2]) || "pool".equals(args[2]));
        boolean closeInHook = args.length > 2 && "pool".equals(args[2]);
        Properties p = new Properties();
        p.setProperty("sqlcache.redis.host", "127.0.0.1");
        p.setProperty("sqlcache.redis.port", Integer.toString(port));
        p.setProperty("user", "sa");
        p.setProperty("password", "");
        try (Connection c = DriverManager.getConnection("jdbc:sqlcache:h2:mem:leave;DB_CLOSE_DELAY=-1", p);
             Statement s = c.createStatement()) {
            s.execute("create table t(id int primary key)");
            try (ResultSet rs = s.executeQuery("select count(*) from t")) {
                rs.next();
            }
        }
        if (keepOpen) {
            Connection pooled = DriverManager.getConnection("jdbc:sqlcache:h2:mem:leave;DB_CLOSE_DELAY=-1", p);
            if (closeInHook) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Thread.sleep(300);
                        pooled.close();
                    } catch (Exception e) {
                        Thread.currentThread().interrupt();
                    }
                }, "application-pool-close"));
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Thread.sleep(hookMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "slow-graceful-shutdown"));
        System.out.println("joined");
        System.exit(0);
    }
}
