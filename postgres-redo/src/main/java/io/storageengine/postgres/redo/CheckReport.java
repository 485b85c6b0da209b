package io.storageengine.postgres.redo;

import java.util.List;
import java.util.Map;

/**
 * What {@link ConsistencyChecker} found over a WAL range. Counts are of block references:
 * {@code equal} and {@code differ} compare our redo with the record's consistency image after
 * PostgreSQL's masking; {@code restored} are images redo applies (not compared, as PostgreSQL);
 * {@code untracked} are consistency images of pages whose earlier state we did not have (the page
 * was seen first in the range, or evicted from the bounded page set); {@code unsupported} and
 * {@code errors} count per {@code rmgr/kind}. Immutable.
 *
 * @param mismatches the first mismatches, errors and unsupported kinds, one line each (bounded)
 */
public record CheckReport(long records, long recordsChecked, long equal, long differ, long restored, long untracked,
                          Map<String, long[]> perKind, Map<String, Long> unsupported, Map<String, Long> errors,
                          List<String> mismatches, String endLsn) {

    /** {@code N records checked, M blocks equal, K differ}. */
    public String summaryLine() {
        return recordsChecked + " records checked, " + equal + " blocks equal, " + differ + " differ";
    }

    /** The whole report as text: per-kind counts, unsupported kinds, errors, mismatches, summary. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("records read: ").append(records).append(" (to ").append(endLsn).append("), images restored: ")
                .append(restored).append(", consistency images of untracked pages: ").append(untracked).append('\n');
        perKind.forEach((k, v) -> sb.append(String.format("  %-28s equal %8d  differ %6d%n", k, v[0], v[1])));
        unsupported.forEach((k, v) -> sb.append("UNSUPPORTED ").append(k).append(": ").append(v).append(" blocks\n"));
        errors.forEach((k, v) -> sb.append("ERROR ").append(k).append(": ").append(v).append(" blocks\n"));
        mismatches.forEach(m -> sb.append(m).append('\n'));
        sb.append(summaryLine()).append('\n');
        return sb.toString();
    }
}
