package io.storageengine.ingest.decode;

import io.storageengine.schemas.wal.Frame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Copies what a decoder delivers, for assertions. */
final class RecordingSink implements FrameSink {
    final List<byte[]> frames = new ArrayList<>();
    final List<Long> lsns = new ArrayList<>();
    final List<Long> skipped = new ArrayList<>();
    final List<String> rejections = new ArrayList<>();
    final List<byte[]> backingArrays = new ArrayList<>();

    @Override
    public void accept(Frame frame, ByteBuffer frameBytes) {
        byte[] b = new byte[frameBytes.remaining()];
        frameBytes.duplicate().get(b);
        frames.add(b);
        lsns.add(frame.lsn());
        backingArrays.add(frameBytes.array());
    }

    @Override
    public void skipped(long lsn) {
        skipped.add(lsn);
    }

    @Override
    public void rejected(long lsn, String reason) {
        skipped.add(lsn);
        rejections.add(reason);
    }
}
