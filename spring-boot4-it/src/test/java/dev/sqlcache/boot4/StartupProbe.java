package dev.sqlcache.boot4;

import dev.sqlcache.boot4.app.Boot4Application;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;

/**
 * One start of the Boot 4 application in a JVM of its own: prints the milliseconds from the JVM's start to the first
 * query answered through the application's DataSource, then exits. {@link StartupTimeTest} runs it.
 */
public final class StartupProbe {

    private StartupProbe() {
    }

    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Boot4Application.class)
                .web(WebApplicationType.NONE).logStartupInfo(false).run(args)) {
            Integer one = new JdbcTemplate(context.getBean(DataSource.class)).queryForObject("select 1", Integer.class);
            long elapsed = System.currentTimeMillis() - jvmStart;
            System.out.println("STARTUP_MS " + elapsed + " " + one);
        }
        System.exit(0);
    }
}
