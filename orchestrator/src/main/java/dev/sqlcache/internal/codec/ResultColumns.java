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

    /**
     * Labels to 1-based indexes, made when first asked and shared by every result of this shape: each label in
     * lower case (the first column of a label wins, whatever its case), and each label as it is when that is the
     * column its lower case names, so that the usual lookup, with the label as the database reported it, is one
     * get without a lower-cased copy.
     */
    private volatile java.util.Map<String, Integer> labels;

    /** The 1-based index of the first column whose label equals {@code label} ignoring case, or 0. */
    int indexOf(String label) {
        java.util.Map<String, Integer> byLabel = labels;
        if (byLabel == null) {
            byLabel = labelIndex();
            labels = byLabel;
        }
        Integer index = byLabel.get(label);
        if (index == null) {
            String lower = label.toLowerCase(java.util.Locale.ROOT);
            index = lower.equals(label) ? null : byLabel.get(lower);
        }
        return index == null ? 0 : index;
    }

    private java.util.Map<String, Integer> labelIndex() {
        java.util.Map<String, Integer> byLabel = new java.util.HashMap<>();
        for (int i = columns.length - 1; i >= 0; i--) {
            String label = columns[i].columnLabel();
            if (label != null) {
                byLabel.put(label.toLowerCase(java.util.Locale.ROOT), i + 1);
            }
        }
        for (int i = 0; i < columns.length; i++) {
            String label = columns[i].columnLabel();
            if (label != null && Integer.valueOf(i + 1).equals(byLabel.get(label.toLowerCase(java.util.Locale.ROOT)))) {
                byLabel.putIfAbsent(label, i + 1);
            }
        }
        return byLabel;
    }
}
