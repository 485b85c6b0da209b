package io.storageengine.schemas.page;

import java.util.Locale;

/** PostgreSQL relation forks, by their on-wire number (0 main, 1 fsm, 2 vm, 3 init). */
public enum Fork {
    MAIN, FSM, VM, INIT;

    public int number() {
        return ordinal();
    }

    public static Fork ofNumber(int n) {
        if (n < 0 || n > 3) {
            throw new IllegalArgumentException("fork number " + n + " out of range 0-3");
        }
        return values()[n];
    }

    /** Accepts {@code main}, {@code fsm}, {@code vm}, {@code init} (any case) or 0–3. */
    public static Fork parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty fork");
        }
        if (text.length() == 1 && Character.isDigit(text.charAt(0))) {
            return ofNumber(text.charAt(0) - '0');
        }
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown fork '" + text + "': expected main, fsm, vm, init or 0-3");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
