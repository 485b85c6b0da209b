package io.storageengine.runtime.failpoint;

import io.storageengine.runtime.config.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * What a failpoint does when hit, parsed from its text form:
 * <pre>
 * action := "off" | [count "*"] ("sleep(" duration ")" | "error" ["(" message ")"])
 * </pre>
 * {@code duration} in the configuration's syntax ({@code 200} = 200 ms, {@code 200ms}, {@code 2s});
 * {@code message} is everything between the first {@code (} and the last {@code )}, trimmed
 * ({@code error} alone: "injected error at failpoint NAME"); {@code count} ≥ 1 limits the action to
 * the next {@code count} hits. {@link #toString()} gives the canonical text back. Immutable.
 *
 * @param kind     OFF, SLEEP or ERROR
 * @param sleep    SLEEP's duration (zero otherwise)
 * @param message  ERROR's message, null for the default (null otherwise)
 * @param count    hits the action applies to; 0 means every hit
 */
public record FailpointAction(Kind kind, Duration sleep, String message, long count) {
    /** The kinds of action. */
    public enum Kind { OFF, SLEEP, ERROR }

    /** The action of a point that does nothing. */
    public static final FailpointAction OFF = new FailpointAction(Kind.OFF, Duration.ZERO, null, 0);

    public FailpointAction {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sleep, "sleep");
        if (count < 0) {
            throw new IllegalArgumentException("failpoint count must be >= 1, got " + count);
        }
        if (kind == Kind.OFF && count != 0) {
            throw new IllegalArgumentException("'off' takes no count");
        }
    }

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static FailpointAction parse(String text) {
        String t = Objects.requireNonNull(text, "action").trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty failpoint action (expected off, sleep(MS), error(MESSAGE), N*...)");
        }
        if (t.equals("off")) {
            return OFF;
        }
        long count = 0;
        int star = t.indexOf('*');
        int paren = t.indexOf('(');
        if (star > 0 && (paren < 0 || star < paren)) {
            String n = t.substring(0, star).trim();
            try {
                count = Long.parseLong(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("failpoint count '" + n + "' is not a number in '" + text + "'");
            }
            if (count < 1) {
                throw new IllegalArgumentException("failpoint count must be >= 1 in '" + text + "'");
            }
            t = t.substring(star + 1).trim();
            paren = t.indexOf('(');
        }
        String verb = paren < 0 ? t : t.substring(0, paren).trim();
        String arg = null;
        if (paren >= 0) {
            int close = t.lastIndexOf(')');
            if (close < paren || !t.substring(close + 1).isBlank()) {
                throw new IllegalArgumentException("failpoint action '" + text + "': missing or misplaced ')'");
            }
            arg = t.substring(paren + 1, close).trim();
        }
        switch (verb) {
            case "sleep" -> {
                if (arg == null || arg.isEmpty()) {
                    throw new IllegalArgumentException("failpoint action '" + text + "': sleep needs a duration, e.g. sleep(200)");
                }
                Duration d;
                try {
                    d = Durations.parse(arg);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("failpoint action '" + text + "': " + e.getMessage(), e);
                }
                return new FailpointAction(Kind.SLEEP, d, null, count);
            }
            case "error" -> {
                return new FailpointAction(Kind.ERROR, Duration.ZERO, arg == null || arg.isEmpty() ? null : arg, count);
            }
            case "off" -> throw new IllegalArgumentException("'off' takes no count or argument: '" + text + "'");
            default -> throw new IllegalArgumentException("unknown failpoint action '" + text
                    + "' (expected off, sleep(MS), error(MESSAGE), each optionally N*...)");
        }
    }

    public boolean isOff() {
        return kind == Kind.OFF;
    }

    @Override
    public String toString() {
        String base = switch (kind) {
            case OFF -> "off";
            case SLEEP -> "sleep(" + (sleep.toNanos() % 1_000_000 == 0 ? Long.toString(sleep.toMillis())
                    : sleep.toNanos() / 1000 + "us") + ")";
            case ERROR -> message == null ? "error" : "error(" + message + ")";
        };
        return count > 0 ? count + "*" + base : base;
    }
}
