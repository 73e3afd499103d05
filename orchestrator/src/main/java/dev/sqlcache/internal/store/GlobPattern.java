package dev.sqlcache.internal.store;

import java.util.regex.Pattern;

/** Redis-style glob patterns ({@code *}, {@code ?}, {@code [abc]}, {@code [^a]}, backslash escapes) as a regex. */
public final class GlobPattern {

    private GlobPattern() {
    }

    public static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        boolean inClass = false;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '\\' && i + 1 < glob.length()) {
                regex.append(literal(glob.charAt(++i)));
            } else if (inClass) {
                if (c == ']') {
                    inClass = false;
                    regex.append(']');
                } else if (c == '^' && glob.charAt(i - 1) == '[') {
                    regex.append('^');
                } else if (c == '-') {
                    regex.append('-');
                } else {
                    regex.append(literal(c));
                }
            } else if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else if (c == '[' && glob.indexOf(']', i + 1) > i + 1) {
                inClass = true;
                regex.append('[');
            } else {
                regex.append(literal(c));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /** A character matched literally, in or out of a character class. */
    private static String literal(char c) {
        // Escaping a letter or digit could turn it into a regex class such as \d; other characters are safe to escape.
        return Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c;
    }
}
