package io.storageengine.ingest.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parsed command-line arguments: {@code --name value} options, {@code --flag} switches (declared),
 * and positional arguments ({@code -} is positional). Unknown options are usage errors. Immutable
 * after parsing; not thread-safe.
 */
final class Args {
    private final Map<String, String> options = new HashMap<>();
    private final Set<String> flagsSet = new java.util.HashSet<>();
    private final List<String> positional = new ArrayList<>();

    Args(String[] argv, int from, Set<String> valueOptions, Set<String> flags) {
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--") && a.length() > 2) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flags.contains(name)) {
                    flagsSet.add(name);
                } else if (valueOptions.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= argv.length) {
                            throw new UsageException("--" + name + " needs a value");
                        }
                        value = argv[++i];
                    }
                    options.put(name, value);
                } else {
                    throw new UsageException("unknown option --" + name);
                }
            } else {
                positional.add(a);
            }
        }
    }

    String get(String name, String dflt) {
        return options.getOrDefault(name, dflt);
    }

    String require(String name) {
        String v = options.get(name);
        if (v == null) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    boolean has(String name) {
        return options.containsKey(name) || flagsSet.contains(name);
    }

    long getLong(String name, long dflt) {
        String v = options.get(name);
        return v == null ? dflt : parseSize(name, v);
    }

    int getInt(String name, int dflt) {
        long v = getLong(name, dflt);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new UsageException("--" + name + " out of range: " + v);
        }
        return (int) v;
    }

    double getDouble(String name, double dflt) {
        String v = options.get(name);
        try {
            return v == null ? dflt : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + ": not a number: " + v);
        }
    }

    List<String> positional() {
        return positional;
    }

    /** An integer with an optional K, M, G, T suffix (powers of 1024). */
    static long parseSize(String name, String v) {
        String s = v.trim().toUpperCase(Locale.ROOT).replace("_", "");
        long mult = 1;
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> mult = 1L << 10;
                case 'M' -> mult = 1L << 20;
                case 'G' -> mult = 1L << 30;
                case 'T' -> mult = 1L << 40;
                default -> mult = 1;
            }
            if (mult != 1) {
                s = s.substring(0, s.length() - 1);
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(s), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UsageException("--" + name + ": not a count: " + v);
        }
    }
}
