package dev.sqlcache.internal.codec;

/**
 * The columns of a result: their metadata, value kinds, string styles and learned conversions. Immutable, so that
 * every result of the same shape (each hit of one statement) can share one instance instead of decoding its own.
 */
final class ResultColumns {
    final ColumnMetadata[] columns;
    final ValueKind[] kinds;
    final int[] styles;
    final int[] conversions;
    final boolean[] zoned;

    ResultColumns(ColumnMetadata[] columns, ValueKind[] kinds, int[] styles, int[] conversions) {
        this.columns = columns;
        this.kinds = kinds;
        this.styles = styles;
        this.conversions = conversions;
        this.zoned = new boolean[columns.length];
        for (int i = 0; i < columns.length; i++) {
            zoned[i] = (kinds[i] == ValueKind.TIMESTAMP || kinds[i] == ValueKind.TIME)
                    && zonedTypeName(columns[i].columnTypeName());
        }
    }

    /** "timestamptz", "TIMESTAMP WITH TIME ZONE" and the like, compared in place. */
    private static boolean zonedTypeName(String name) {
        if (name == null) {
            return false;
        }
        if (name.regionMatches(true, name.length() - 2, "tz", 0, 2)) {
            return true;
        }
        for (int i = 0; i + 9 <= name.length(); i++) {
            if (name.regionMatches(true, i, "time zone", 0, 9)) {
                return true;
            }
        }
        return false;
    }

    int count() {
        return columns.length;
    }
}
