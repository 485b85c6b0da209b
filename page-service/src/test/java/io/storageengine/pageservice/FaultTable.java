package io.storageengine.pageservice;

/**
 * One row of the fault suite's summary, printed to stdout as
 * {@code FAULT-TABLE|fault|acked lost|wrong pages|5xx during|serving again}, so that
 * {@code ./se chaos} can collect the rows of every fault IT into one table. Stateless.
 */
public final class FaultTable {
    private FaultTable() {
    }

    public static void row(String fault, String ackedLost, String wrong, String serverErrors, String servingAgain) {
        System.out.println(String.join("|", "FAULT-TABLE", fault, ackedLost, wrong, serverErrors, servingAgain));
    }
}
