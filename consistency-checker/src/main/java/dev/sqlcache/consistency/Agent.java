package dev.sqlcache.consistency;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/**
 * A second JVM driven step by step, for deterministic cross-JVM interleavings. Arguments: target name, URL, user,
 * password, then {@code sqlcache.*} settings as key=value. Reads one command per line from stdin and answers one
 * line on stdout:
 * <ul>
 *   <li>{@code query <sql>}: {@code rows <v,v;v,v>} (values of every row, through sqlcache, auto-commit)</li>
 *   <li>{@code update <sql>}: {@code updated <count>}</li>
 *   <li>{@code quit}</li>
 * </ul>
 * Any failure answers {@code error <message>}.
 */
public final class Agent {

    private Agent() {
    }

    public static void main(String[] args) throws Exception {
        Target target = new Target(args[0], args[1], args[2], args[3]);
        Map<String, String> settings = new TreeMap<>();
        for (int i = 4; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Connection c = target.cached(settings)) {
            c.setAutoCommit(true);
            System.out.println("ready");
            System.out.flush();
            for (int line = 0; line < 100_000; line++) {
                String command = in.readLine();
                if (command == null || command.equals("quit")) {
                    break;
                }
                System.out.println(answer(c, command));
                System.out.flush();
            }
        }
        System.exit(0);
    }

    private static String answer(Connection c, String command) {
        try (Statement s = c.createStatement()) {
            if (command.startsWith("query ")) {
                StringBuilder out = new StringBuilder("rows ");
                try (ResultSet rs = s.executeQuery(command.substring(6))) {
                    int columns = rs.getMetaData().getColumnCount();
                    boolean firstRow = true;
                    while (rs.next()) {
                        if (!firstRow) {
                            out.append(';');
                        }
                        firstRow = false;
                        for (int i = 1; i <= columns; i++) {
                            if (i > 1) {
                                out.append(',');
                            }
                            out.append(rs.getString(i));
                        }
                    }
                }
                return out.toString();
            }
            if (command.startsWith("update ")) {
                return "updated " + s.executeUpdate(command.substring(7));
            }
            return "error unknown command " + command;
        } catch (Exception e) {
            return "error " + Workload.describe(e).replace('\n', ' ');
        }
    }
}
