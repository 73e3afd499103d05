package dev.sqlcache.internal.admin;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The sqlcache administration command line: {@code health}, {@code stats}, {@code invalidate}, {@code flush} and
 * {@code feed} (the change feed's slots)
 * against the Redis the driver uses, found exactly as the driver finds it (environment, {@code sqlcache.properties},
 * then the {@code --redis-*} options).
 *
 * <p>Exit codes: 0 done, 1 Redis unreachable or failing, 2 bad command line or configuration (and {@code flush}
 * without {@code --yes}). Errors are one line on stderr; {@code --verbose} adds the stack trace.
 */
@Command(name = "sqlcache-admin", mixinStandardHelpOptions = true, version = "sqlcache-admin 0.1.0",
        description = "Inspect and invalidate the sqlcache entries in Redis.",
        subcommands = {HealthCommand.class, StatsCommand.class, InvalidateCommand.class, FlushCommand.class,
                FeedCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:Redis unreachable or failing", "2:bad command line or configuration, "
                + "or flush without --yes"})
public final class AdminCli implements Callable<Integer> {

    private final Map<String, String> environment;

    @Spec
    CommandSpec spec;

    /** Reads the process environment, as the driver does. */
    public AdminCli() {
        this(System.getenv());
    }

    /** Uses {@code environment} instead of the process environment (for tests and embedding). */
    public AdminCli(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    Map<String, String> environment() {
        return environment;
    }

    /** No subcommand given. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("sqlcache-admin: a command is required: health, stats, invalidate, "
                + "flush or feed (see sqlcache-admin --help)");
        return AdminException.USAGE;
    }

    /**
     * A command line whose parse errors are one line on stderr with exit code 2, instead of picocli's message
     * followed by the whole usage text.
     */
    public static CommandLine commandLine(AdminCli cli) {
        CommandLine commandLine = new CommandLine(cli);
        commandLine.setParameterExceptionHandler(AdminCli::parameterError);
        return commandLine;
    }

    private static int parameterError(ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        PrintWriter err = failed.getErr();
        String message = String.valueOf(e.getMessage()).replaceAll("\\s*\\R\\s*", " ").strip();
        err.println(failed.getCommandSpec().qualifiedName() + ": " + message + " (see "
                + failed.getCommandSpec().qualifiedName() + " --help)");
        for (String arg : args) {
            if ("--verbose".equals(arg)) {
                e.printStackTrace(err);
            }
        }
        err.flush();
        return AdminException.USAGE;
    }

    public static void main(String[] args) {
        // Without an SLF4J provider on the class path, SLF4J would print a three-line warning on every run.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        System.exit(commandLine(new AdminCli()).execute(args));
    }
}
