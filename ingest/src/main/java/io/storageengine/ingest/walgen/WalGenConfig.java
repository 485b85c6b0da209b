package io.storageengine.ingest.walgen;

/**
 * Parameters of a synthetic WAL stream; see {@link WalGen.Builder} for each one. Immutable.
 * The stream is a pure function of these values.
 */
public record WalGenConfig(long seed, int relations, int pagesPerRelation, double imageRatio, int patchesPerDelta,
                           int maxPatchLength, double lsnAdvanceRatio, int pagesPerLsn, long startLsn, long lsnStep,
                           long maxRecords, long maxBytes, double flipRate, double garbageRate, int maxGarbageLength,
                           double reservedRate, double badRecordRate, boolean truncateTail,
                           int spcOid, int dbOid, int firstRelNumber) {

    public WalGenConfig {
        if (relations < 1 || pagesPerRelation < 1) {
            throw new IllegalArgumentException("relations and pages per relation must be >= 1");
        }
        if (pagesPerLsn < 1 || (long) pagesPerLsn > (long) relations * pagesPerRelation) {
            throw new IllegalArgumentException("pages per LSN must be between 1 and the number of pages");
        }
        if (patchesPerDelta < 1 || maxPatchLength < 1 || maxPatchLength > 8192) {
            throw new IllegalArgumentException("patches per delta >= 1 and max patch length in 1..8192 required");
        }
        if (lsnStep < 1) {
            throw new IllegalArgumentException("LSN step must be >= 1");
        }
        if (maxRecords < 0 || maxBytes < 0 || (maxRecords == 0 && maxBytes == 0)) {
            throw new IllegalArgumentException("give a record count or a byte count (> 0)");
        }
        if (maxGarbageLength < 1) {
            throw new IllegalArgumentException("max garbage length must be >= 1");
        }
        for (double r : new double[] {imageRatio, lsnAdvanceRatio, flipRate, garbageRate, reservedRate, badRecordRate}) {
            if (!(r >= 0 && r <= 1)) {
                throw new IllegalArgumentException("rates must be within 0..1, got " + r);
            }
        }
    }

    public long pages() {
        return (long) relations * pagesPerRelation;
    }
}
