package io.storageengine.testsupport;

/**
 * One row of the fault suite's summary, printed to stdout as
 * {@code FAULT-TABLE|fault|acked lost|wrong pages|5xx during|serving again|alerts}, so that
 * {@code ./se chaos} can collect the rows of every fault IT into one table. {@code alerts}: the
 * alerts of monitoring/alerts.yml the fault made pending or firing (test-support's
 * {@code PrometheusProcess.alertsDuring}); "-" where the IT does not watch them. A {@code |} inside a
 * cell is printed as {@code /}. Stateless.
 */
public final class FaultTable {
    private FaultTable() {
    }

    /** A row without the alerts column (printed as "-"). */
    public static void row(String fault, String ackedLost, String wrong, String serverErrors, String servingAgain) {
        row(fault, ackedLost, wrong, serverErrors, servingAgain, "-");
    }

    public static void row(String fault, String ackedLost, String wrong, String serverErrors, String servingAgain,
                           String alerts) {
        System.out.println(String.join("|", "FAULT-TABLE", cell(fault), cell(ackedLost), cell(wrong), cell(serverErrors),
                cell(servingAgain), cell(alerts)));
    }

    private static String cell(String s) {
        return s == null ? "-" : s.replace('|', '/').replace('\n', ' ');
    }
}
