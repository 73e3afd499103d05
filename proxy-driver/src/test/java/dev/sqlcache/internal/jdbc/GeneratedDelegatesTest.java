package dev.sqlcache.internal.jdbc;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed delegates are exactly what {@link DelegateGenerator} writes, so none of them is edited by hand. */
class GeneratedDelegatesTest {

    @Test
    void committedDelegatesAreTheGeneratorsOutput() throws IOException {
        int release = compiledRelease();
        Path directory = Path.of(System.getProperty("basedir", ".")).resolve("src/main/java/dev/sqlcache/internal/jdbc");
        Map<String, String> generated = DelegateGenerator.generate(release);
        List<String> differences = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith("Delegate.java") && !generated.containsKey(name))
                    .forEach(name -> differences.add(name + " is not generated"));
        }
        for (Map.Entry<String, String> file : generated.entrySet()) {
            String committed;
            try {
                // A checkout with CRLF line ends is still the same source.
                committed = Files.readString(directory.resolve(file.getKey())).replace("\r\n", "\n");
            } catch (NoSuchFileException e) {
                differences.add(file.getKey() + " is missing");
                continue;
            }
            if (!committed.equals(file.getValue())) {
                differences.add(file.getKey() + firstDifference(file.getValue(), committed));
            }
        }
        assertTrue(differences.isEmpty(), () -> "The JDBC delegates are generated from the java.sql interfaces of Java "
                + release + " and must not be edited by hand; change DelegateGenerator instead. Differences:\n  "
                + String.join("\n  ", differences)
                + "\nRegenerate them from the repository root with:\n  java " + DelegateGenerator.SOURCE + " " + release
                + " " + DelegateGenerator.OUTPUT + "\n");
    }

    /** Generating on a newer JDK for an older release must not pick up the newer JDK's methods, nor lose any. */
    @Test
    void readsTheInterfacesOfTheRequestedReleaseNotThoseOfTheRunningJdk() {
        String java8 = DelegateGenerator.generate(8).get("ConnectionDelegate.java");
        String java9 = DelegateGenerator.generate(9).get("ConnectionDelegate.java");
        // Connection.beginRequest() and the sharding keys came with Java 9.
        assertFalse(java8.contains(" beginRequest() "), java8);
        assertFalse(java8.contains("ShardingKey"), java8);
        assertTrue(java9.contains("    public void beginRequest() throws SQLException {\n        delegate.beginRequest();\n    }\n"), java9);
        assertTrue(java9.contains("    public void setShardingKey(ShardingKey p1) throws SQLException {\n"), java9);
    }

    /**
     * The release the driver is compiled for (the build's {@code --release}), read from a class file's major version
     * (61 is Java 17): the delegates must compile against that release's interfaces, whatever JDK runs the build.
     */
    private static int compiledRelease() {
        try (InputStream in = JdbcWrapper.class.getResourceAsStream("JdbcWrapper.class");
             DataInputStream data = new DataInputStream(in)) {
            assertEquals(0xCAFEBABE, data.readInt());
            data.readUnsignedShort();
            return data.readUnsignedShort() - 44;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read JdbcWrapper.class", e);
        }
    }

    private static String firstDifference(String generated, String committed) {
        String[] expected = generated.split("\n", -1);
        String[] actual = committed.split("\n", -1);
        for (int i = 0; i < Math.max(expected.length, actual.length); i++) {
            String want = i < expected.length ? expected[i] : "(end of file)";
            String have = i < actual.length ? actual[i] : "(end of file)";
            if (!want.equals(have)) {
                return ", line " + (i + 1) + ": generated `" + want + "`, committed `" + have + "`";
            }
        }
        return "";
    }
}
