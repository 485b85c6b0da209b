package io.storageengine.runtime.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of every service's configuration: a whole number with a unit,
 * {@code ns}, {@code us}, {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}
 * ({@code 250us}, {@code 100ms}, {@code 30s}, {@code 5m}, {@code 1h}); a bare number is
 * milliseconds; or ISO-8601 ({@code PT0.1S}, {@code PT1M}). Negative durations are refused.
 * Stateless.
 */
public final class Durations {
    private static final Pattern UNIT = Pattern.compile("(\\d+)\\s*(ns|us|ms|s|m|h|d)?");

    private Durations() {
    }

    /** Parses {@code text}; a malformed or negative value throws {@link IllegalArgumentException}. */
    public static Duration parse(String text) {
        String t = text.trim();
        Duration d;
        if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P") || t.startsWith("-p")) {
            try {
                d = Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw malformed(text);
            }
        } else {
            Matcher m = UNIT.matcher(t);
            if (!m.matches()) {
                throw malformed(text);
            }
            long n;
            try {
                n = Long.parseLong(m.group(1));
                d = switch (m.group(2) == null ? "ms" : m.group(2)) {
                    case "ns" -> Duration.ofNanos(n);
                    case "us" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    case "d" -> Duration.ofDays(n);
                    default -> throw malformed(text); // the pattern admits no other unit
                };
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException("duration '" + text + "' is too large");
            }
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("duration '" + text + "' is negative");
        }
        return d;
    }

    private static IllegalArgumentException malformed(String text) {
        return new IllegalArgumentException("malformed duration '" + text
                + "' (write 250us, 100ms, 30s, 5m, 1h, 1d, a number of ms, or ISO-8601 such as PT30S)");
    }
}
