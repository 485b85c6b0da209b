package io.storageengine.schemas.wal;

/**
 * A log sequence number: a byte position in a timeline's WAL, as PostgreSQL writes it.
 *
 * <p>Immutable value type (like Debezium's {@code Lsn}). The text form is PostgreSQL's
 * {@code X/Y}: the high and low 32 bits in upper-case hex without leading zeros
 * ({@code 16/B374D848}). {@link #parse} also accepts a plain decimal integer, as the page API
 * allows. LSNs compare as unsigned 64-bit integers.
 */
public record Lsn(long value) implements Comparable<Lsn> {

    /** The smallest LSN; no record is ever at it. */
    public static final Lsn ZERO = new Lsn(0);
    /** The largest LSN ({@code FFFFFFFF/FFFFFFFF}). */
    public static final Lsn MAX = new Lsn(-1L);

    public static Lsn of(long value) {
        return new Lsn(value);
    }

    /**
     * Parses {@code X/Y} (two hex numbers of at most 8 digits each) or a decimal integer
     * (at most 2^64 - 1).
     *
     * @throws IllegalArgumentException with a message that names the text
     */
    public static Lsn parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty LSN");
        }
        int slash = text.indexOf('/');
        try {
            if (slash >= 0) {
                String hi = text.substring(0, slash);
                String lo = text.substring(slash + 1);
                if (hi.isEmpty() || lo.isEmpty() || hi.length() > 8 || lo.length() > 8
                        || !isHex(hi) || !isHex(lo)) {
                    throw new IllegalArgumentException("malformed LSN '" + text + "': expected X/Y in hex");
                }
                return new Lsn((Long.parseLong(hi, 16) << 32) | Long.parseLong(lo, 16));
            }
            for (int i = 0; i < text.length(); i++) {
                if (!Character.isDigit(text.charAt(i)) || text.charAt(i) > '9') {
                    throw new IllegalArgumentException("malformed LSN '" + text + "': expected X/Y or a decimal integer");
                }
            }
            return new Lsn(Long.parseUnsignedLong(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed LSN '" + text + "': " + e.getMessage(), e);
        }
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** PostgreSQL's text form of any unsigned 64-bit LSN value. */
    public static String format(long value) {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    /** Unsigned comparison of two raw LSN values (for hot paths that keep LSNs as {@code long}). */
    public static int compare(long a, long b) {
        return Long.compareUnsigned(a, b);
    }

    /** True if raw LSN {@code a} is after {@code b} (unsigned). */
    public static boolean isAfter(long a, long b) {
        return Long.compareUnsigned(a, b) > 0;
    }

    /** True if raw LSN {@code a} is before {@code b} (unsigned). */
    public static boolean isBefore(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    /** The later of two raw LSN values (unsigned). */
    public static long max(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return format(value);
    }
}
