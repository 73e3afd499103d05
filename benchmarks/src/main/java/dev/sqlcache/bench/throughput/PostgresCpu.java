package dev.sqlcache.bench.throughput;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time (user + system) of the PostgreSQL backends serving one database, read from {@code /proc}: with the
 * harness's own CPU and Redis's, what an operation cost in CPU, which a shared, noisy machine changes far less than
 * it changes throughput. Only backends whose process title names the benchmark's database count: the server is
 * shared with other databases, whose backends and the server's background processes (WAL writer, checkpointer)
 * are left out. The harness keeps its connections open for the whole workload, so no backend's CPU is lost to its
 * exit between two readings.
 */
final class PostgresCpu {
    /** USER_HZ, the unit of {@code utime} and {@code stime}: 100 on every Linux the harness runs on. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final String database;
    private final Path proc;

    /** @param database the database whose backends count, or null when the target is not PostgreSQL */
    PostgresCpu(String database) {
        this(database, Path.of("/proc"));
    }

    PostgresCpu(String database, Path proc) {
        this.database = database;
        this.proc = proc;
    }

    /**
     * The database of a {@code jdbc:postgresql://host:port/name?...} URL, or of sqlcache's
     * {@code jdbc:sqlcache:postgresql://...}; null for another database.
     */
    static String databaseOf(String jdbcUrl) {
        String prefix = jdbcUrl == null ? null : jdbcUrl.startsWith("jdbc:postgresql://") ? "jdbc:postgresql://"
                : jdbcUrl.startsWith("jdbc:sqlcache:postgresql://") ? "jdbc:sqlcache:postgresql://" : null;
        if (prefix == null) {
            return null;
        }
        String rest = jdbcUrl.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String name = rest.substring(slash + 1);
        int query = name.indexOf('?');
        name = query < 0 ? name : name.substring(0, query);
        return name.isEmpty() ? null : name;
    }

    /** Nanoseconds of CPU the database's backends used so far, or -1 where {@code /proc} cannot tell. */
    long nanos() {
        if (database == null || !Files.isDirectory(proc)) {
            return -1;
        }
        long ticks = 0;
        boolean any = false;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, PostgresCpu::isProcess)) {
            for (Path process : processes) {
                try {
                    String stat = Files.readString(process.resolve("stat"), StandardCharsets.ISO_8859_1);
                    if (!"postgres".equals(command(stat))) {
                        continue;
                    }
                    String title = new String(Files.readAllBytes(process.resolve("cmdline")),
                            StandardCharsets.UTF_8).replace('\0', ' ').trim();
                    if (isBackendOf(title, database)) {
                        ticks += ticks(stat);
                        any = true;
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended while being read: its CPU is gone either way
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return any ? TimeUnit.SECONDS.toNanos(ticks) / CLOCK_TICKS_PER_SECOND : -1;
    }

    private static boolean isProcess(Path p) {
        String name = p.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    /** The {@code comm} field of {@code /proc/<pid>/stat}: the text between the first '(' and the last ')'. */
    static String command(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        return open < 0 || close < open ? null : stat.substring(open + 1, close);
    }

    /**
     * {@code utime + stime} of a {@code /proc/<pid>/stat} line, in clock ticks: fields 14 and 15, counted after the
     * command, which may itself hold spaces and parentheses.
     */
    static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // fields[0] is field 3 (state); utime is field 14, stime field 15
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * Whether a PostgreSQL process title is a backend of {@code database}: {@code postgres: [cluster: ]user database
     * host(port) activity}, the database being the word before the client's address.
     */
    static boolean isBackendOf(String title, String database) {
        if (!title.startsWith("postgres: ")) {
            return false;
        }
        String[] words = title.split(" +");
        for (int i = 1; i + 1 < words.length; i++) {
            String next = words[i + 1];
            if (words[i].equals(database) && (next.endsWith(")") && next.contains("(") || next.equals("[local]"))) {
                return true;
            }
        }
        return false;
    }
}
