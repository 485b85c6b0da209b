package io.storageengine.ingest.walgen;

import java.io.InputStream;
import java.util.Iterator;

/** Reads a {@link WalGen} stream as bytes, generating items as needed. Not thread-safe. */
final class WalGenInputStream extends InputStream {
    private final Iterator<WalGen.Item> items;
    private byte[] current = new byte[0];
    private int pos;

    WalGenInputStream(Iterator<WalGen.Item> items) {
        this.items = items;
    }

    private boolean fill() {
        while (pos == current.length) {
            if (!items.hasNext()) {
                return false;
            }
            current = items.next().bytes();
            pos = 0;
        }
        return true;
    }

    @Override
    public int read() {
        return fill() ? current[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len && fill()) {
            int k = Math.min(len - n, current.length - pos);
            System.arraycopy(current, pos, b, off + n, k);
            pos += k;
            n += k;
        }
        return n == 0 ? -1 : n;
    }
}
