package dev.sqlcache.bench.throughput;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code /proc/loadavg} at one moment. On a shared machine a figure taken while other work ran is not comparable
 * with one taken on a quiet machine; the load beside every round is how a reader tells them apart.
 *
 * @param one the 1-minute load average, NaN where {@code /proc/loadavg} cannot be read
 * @param raw the whole line as the kernel wrote it
 */
record MachineLoad(double one, String raw) {

    static MachineLoad now() {
        try {
            String line = Files.readString(Path.of("/proc/loadavg")).trim();
            return new MachineLoad(Double.parseDouble(line.split("\\s+")[0]), line);
        } catch (IOException | RuntimeException e) {
            return new MachineLoad(Double.NaN, "unknown");
        }
    }
}
