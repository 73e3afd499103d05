package dev.sqlcache.internal.config;

import java.util.List;

/**
 * The sqlcache settings cannot be used. Every problem found is listed, each naming the setting the way the user
 * wrote it (property, environment variable or file key) and saying why; passwords never appear.
 */
public class InvalidConfigurationException extends Exception {

    private final List<String> problems;

    public InvalidConfigurationException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public InvalidConfigurationException(String problem) {
        this(List.of(problem));
    }

    /** One line per problem, in the order they were found. */
    public List<String> problems() {
        return problems;
    }
}
