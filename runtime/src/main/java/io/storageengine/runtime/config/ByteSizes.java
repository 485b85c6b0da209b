package io.storageengine.runtime.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one byte-size syntax of every service's configuration: a whole number of bytes, optionally
 * with a unit. Binary units are powers of 1024 ({@code KiB}, {@code MiB}, {@code GiB},
 * {@code TiB}); decimal units are powers of 1000 ({@code kB}/{@code KB}, {@code MB}, {@code GB},
 * {@code TB}), as in IEC 80000-13; {@code B} is bytes. Units are matched without regard to case
 * ({@code 256mib} = {@code 256MiB}). Stateless.
 */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([a-zA-Z]*)");

    private ByteSizes() {
    }

    /** Parses {@code text} into bytes; a malformed value or one beyond {@code Long.MAX_VALUE} throws. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw malformed(text);
        }
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "kb" -> 1000L;
            case "mb" -> 1000L * 1000;
            case "gb" -> 1000L * 1000 * 1000;
            case "tb" -> 1000L * 1000 * 1000 * 1000;
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            case "tib" -> 1L << 40;
            default -> throw malformed(text);
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
    }

    private static IllegalArgumentException malformed(String text) {
        return new IllegalArgumentException("malformed size '" + text
                + "' (write a number of bytes, or 64KiB, 256MiB, 1GiB, or decimal 64MB)");
    }
}
