package io.storageengine.loadtest;

import java.util.function.Predicate;

/**
 * Reads samples out of a Prometheus text exposition (the page service's {@code /metrics}): a
 * sample line is its series (name and labels, as exposed) and its value after the last space.
 * Comment lines never match a series. Stateless.
 */
final class PrometheusText {
    private PrometheusText() {
    }

    /** The sum of the values of the samples whose series {@code matches}; NaN when none does. */
    static double sum(String text, Predicate<String> matches) {
        double sum = Double.NaN;
        for (String line : text.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (space > 0 && !line.startsWith("#") && matches.test(line.substring(0, space).trim())) {
                double v = Double.parseDouble(line.substring(space + 1));
                sum = Double.isNaN(sum) ? v : sum + v;
            }
        }
        return sum;
    }
}
