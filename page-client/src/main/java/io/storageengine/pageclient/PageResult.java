package io.storageengine.pageclient;

import com.google.protobuf.ByteString;

/**
 * A page as the service returned it: its bytes (8192), the LSN of the newest record applied to it
 * and the LSN it is as of. {@link #data()} shares the received buffer (no copy);
 * {@link #bytes()} copies. Immutable.
 */
public record PageResult(ByteString data, long pageLsn, long requestLsn) {
    public byte[] bytes() {
        return data.toByteArray();
    }
}
