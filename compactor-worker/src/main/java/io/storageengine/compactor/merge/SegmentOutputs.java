package io.storageengine.compactor.merge;

import io.storageengine.compactor.internal.SegmentWriteException;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.segments.segment.SegmentInfo;
import io.storageengine.segments.segment.SegmentWriter;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a sorted record stream into one or more segments of a store: a new segment starts when the
 * timeline changes (every L1 and image segment holds one timeline) or, at a page boundary, once the
 * current one reached the target size. Each finished file is put into the store at once.
 * {@link #abort()} deletes every file written so far (and the open temporary file), so a failed or
 * cancelled job leaves nothing behind. A failed write (a full disk) throws
 * {@link SegmentWriteException} and leaves no file of the segment it was writing. Not thread-safe.
 */
public final class SegmentOutputs implements AutoCloseable {
    /** A finished output: its name in the store, its location, and what its footer says. */
    public record Output(String name, String location, SegmentInfo info) {
    }

    private static final int TIMELINE_BYTES = 32;
    private static final int PAGE_KEY_BYTES = 49;

    private final SegmentStore store;
    private final SegmentWriter.Options options;
    private final long targetBytes;
    private final String namePrefix;
    private final List<Output> outputs = new ArrayList<>();
    private SegmentWriter current;
    private final byte[] lastKey = new byte[SegmentWriter.KEY_SIZE];
    private boolean hasLast;
    private long bytesWritten;

    /**
     * @param namePrefix names are {@code namePrefix-<n>}; must be unique to this job attempt
     */
    public SegmentOutputs(SegmentStore store, SegmentKind kind, int level, int partition, long targetBytes, String namePrefix) {
        this.store = store;
        this.options = SegmentWriter.Options.of(kind, level, partition);
        this.targetBytes = targetBytes;
        this.namePrefix = namePrefix;
    }

    public void add(byte[] key, byte[] value) throws IOException {
        add(key, 0, value, 0, value.length);
    }

    /** Adds the record whose 57-byte key starts at {@code keyBuf[keyOffset]} (see {@link SegmentWriter#add(byte[], int, byte[], int, int)}). */
    public void add(byte[] keyBuf, int keyOffset, byte[] valueBuf, int valueOffset, int valueLength) throws IOException {
        if (current != null && hasLast) {
            boolean newTimeline = !Arrays.equals(keyBuf, keyOffset, keyOffset + TIMELINE_BYTES, lastKey, 0, TIMELINE_BYTES);
            boolean newPage = !Arrays.equals(keyBuf, keyOffset, keyOffset + PAGE_KEY_BYTES, lastKey, 0, PAGE_KEY_BYTES);
            if (newTimeline || (newPage && current.estimatedSize() >= targetBytes)) {
                finishCurrent();
            }
        }
        if (current == null) {
            String name = namePrefix + "-" + outputs.size();
            try {
                current = store.newWriter(name, options);
            } catch (IOException e) {
                throw new SegmentWriteException(name, e);
            }
        }
        try {
            current.add(keyBuf, keyOffset, valueBuf, valueOffset, valueLength);
        } catch (IOException e) {
            throw new SegmentWriteException(namePrefix + "-" + outputs.size(), e); // abort() or close() deletes its file
        }
        System.arraycopy(keyBuf, keyOffset, lastKey, 0, SegmentWriter.KEY_SIZE);
        hasLast = true;
    }

    private void finishCurrent() throws IOException {
        SegmentWriter w = current;
        current = null;
        String name = namePrefix + "-" + outputs.size();
        java.nio.file.Path staged = store.stagingDirectory().resolve(name);
        SegmentInfo info;
        String location;
        try {
            info = w.finish();
            location = store.put(name, staged);
        } catch (IOException e) {
            try {
                w.close(); // an unfinished writer's temporary file
                java.nio.file.Files.deleteIfExists(staged); // finished but not put
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new SegmentWriteException(name, e);
        }
        outputs.add(new Output(name, location, info));
        bytesWritten += info.fileSize();
    }

    /** Finishes the open segment; returns every output (empty if no record was added). */
    public List<Output> finish() throws IOException {
        if (current != null) {
            finishCurrent();
        }
        return List.copyOf(outputs);
    }

    public long bytesWritten() {
        return bytesWritten + (current == null ? 0 : current.estimatedSize());
    }

    /** Deletes everything written (finished outputs and the open temporary file). Idempotent. */
    public void abort() {
        IOException first = null;
        try {
            if (current != null) {
                current.close();
                current = null;
            }
        } catch (IOException e) {
            first = e;
        }
        for (Output o : outputs) {
            try {
                store.delete(o.name());
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        outputs.clear();
        if (first != null) {
            throw new UncheckedIOException("cleaning up aborted outputs " + namePrefix, first);
        }
    }

    /** Abandons an unfinished segment (keeps finished outputs: call {@link #abort()} to drop them too). */
    @Override
    public void close() throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
    }

}
