package dev.sqlcache.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Collects the raw text of every setting from its layers, lowest first: defaults, a properties file, the
 * environment, then the JDBC properties. Within a layer a Redis URL is expanded first so that specific settings
 * of the same layer override it. Blank values count as "not set here". Unknown names become problems.
 */
final class ConfigLayers {

    /** Where the classpath file is looked up when no explicit file is named. */
    static final String CLASSPATH_FILE = "sqlcache.properties";

    /** The raw text of one setting and the name the user wrote it under, for messages. */
    record Sourced(String value, String origin) {
    }

    private final List<String> problems;
    private final Map<Setting, Sourced> merged = new EnumMap<>(Setting.class);

    private ConfigLayers(List<String> problems) {
        this.problems = problems;
    }

    /** Merges all layers; problems found on the way are appended to {@code problems}. */
    static Map<Setting, Sourced> collect(Map<String, String> environment, Map<String, String> properties,
                                         List<String> problems) {
        ConfigLayers layers = new ConfigLayers(problems);
        layers.applyDefaults();
        Map<Setting, String> env = layers.fromEnvironment(environment);
        Map<Setting, String> props = layers.fromProperties(properties);
        layers.applyFile(props.get(Setting.CONFIG), env.get(Setting.CONFIG));
        layers.apply(env, s -> s.environment);
        layers.apply(props, s -> s.property);
        return layers.merged;
    }

    private void applyDefaults() {
        for (Setting s : Setting.values()) {
            if (s.defaultValue != null) {
                merged.put(s, new Sourced(s.defaultValue, s.property + " (default)"));
            }
        }
    }

    private Map<Setting, String> fromEnvironment(Map<String, String> environment) {
        Map<Setting, String> out = new EnumMap<>(Setting.class);
        // Sorted so that problems come out in a stable order.
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            String name = e.getKey();
            var setting = Setting.byEnvironment(name);
            if (setting.isPresent()) {
                putIfNotBlank(out, setting.get(), e.getValue());
            } else if (name.startsWith("SQLCACHE_")) {
                problems.add(name + ": unknown environment variable" + hint(Setting.closest(name, true)));
            }
            // Other REDIS_* variables belong to other programs sharing the environment: ignored.
        }
        return out;
    }

    private Map<Setting, String> fromProperties(Map<String, String> properties) {
        Map<Setting, String> out = new EnumMap<>(Setting.class);
        for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
            String name = e.getKey();
            if (!SqlCacheConfig.isSqlCacheProperty(name)) {
                continue; // connection properties meant for the real driver
            }
            var setting = Setting.byProperty(name);
            if (setting.isPresent()) {
                putIfNotBlank(out, setting.get(), e.getValue());
            } else {
                problems.add(name + ": unknown setting" + hint(Setting.closest(name, false)));
            }
        }
        return out;
    }

    private void applyFile(String fromProperty, String fromEnvironment) {
        if (fromProperty != null) {
            applyFile(Path.of(fromProperty.trim()), Setting.CONFIG.property);
        } else if (fromEnvironment != null) {
            applyFile(Path.of(fromEnvironment.trim()), Setting.CONFIG.environment);
        } else {
            applyClasspathFile();
        }
    }

    private void applyFile(Path path, String namedBy) {
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            applyFileContents(reader, path.toString());
        } catch (NoSuchFileException e) {
            problems.add(namedBy + ": \"" + path + "\" does not exist");
        } catch (IOException | IllegalArgumentException e) {
            problems.add(namedBy + ": \"" + path + "\" cannot be read (" + e.getMessage() + ")");
        }
    }

    private void applyClasspathFile() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = ConfigLayers.class.getClassLoader();
        }
        URL url = loader.getResource(CLASSPATH_FILE);
        if (url == null) {
            return;
        }
        try (InputStream in = url.openStream();
             Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            applyFileContents(reader, "classpath:" + CLASSPATH_FILE);
        } catch (IOException | IllegalArgumentException e) {
            problems.add("classpath:" + CLASSPATH_FILE + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    private void applyFileContents(Reader reader, String fileName) throws IOException {
        Properties file = new Properties();
        file.load(reader);
        Map<Setting, String> out = new EnumMap<>(Setting.class);
        for (String name : sortedNames(file)) {
            var setting = Setting.byProperty(name);
            if (setting.isEmpty()) {
                problems.add(name + " (in " + fileName + "): unknown setting" + hint(Setting.closest(name, false)));
            } else if (setting.get() == Setting.CONFIG) {
                problems.add(name + " (in " + fileName + "): a configuration file cannot name another one");
            } else {
                putIfNotBlank(out, setting.get(), file.getProperty(name));
            }
        }
        apply(out, s -> s.property + " (in " + fileName + ")");
    }

    private static java.util.SortedSet<String> sortedNames(Properties file) {
        return new java.util.TreeSet<>(file.stringPropertyNames());
    }

    /** Applies one layer: its URL first, then its specific settings over it. */
    private void apply(Map<Setting, String> layer, Function<Setting, String> originOf) {
        String url = layer.get(Setting.REDIS_URL);
        if (url != null) {
            String origin = originOf.apply(Setting.REDIS_URL);
            try {
                RedisUrl.parse(url).forEach((setting, value) -> merged.put(setting, new Sourced(value, origin)));
            } catch (ValueParsers.BadValue e) {
                problems.add(origin + ": \"" + RedisUrl.mask(url) + "\" " + e.getMessage());
            }
        }
        layer.forEach((setting, value) -> {
            if (setting != Setting.REDIS_URL && setting != Setting.CONFIG) {
                merged.put(setting, new Sourced(value, originOf.apply(setting)));
            }
        });
    }

    private static void putIfNotBlank(Map<Setting, String> out, Setting setting, String value) {
        if (value != null && !value.isBlank()) {
            out.put(setting, value);
        }
    }

    private static String hint(java.util.Optional<String> suggestion) {
        return suggestion.map(s -> " (did you mean " + s + "?)").orElse("");
    }
}
