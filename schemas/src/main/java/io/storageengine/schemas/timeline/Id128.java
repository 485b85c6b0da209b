package io.storageengine.schemas.timeline;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Parsing and formatting shared by the 128-bit ids ({@link TenantId}, {@link TimelineId}):
 * 32 hex digits, or a UUID with dashes. Stateless.
 */
final class Id128 {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Id128() {
    }

    static long[] parse(String kind, String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing " + kind + " id");
        }
        String hex = text;
        if (text.length() == 36 && text.charAt(8) == '-' && text.charAt(13) == '-' && text.charAt(18) == '-'
                && text.charAt(23) == '-') {
            hex = text.replace("-", "");
        }
        if (hex.length() != 32) {
            throw new IllegalArgumentException("malformed " + kind + " id '" + text + "': expected 32 hex digits or a UUID");
        }
        for (int i = 0; i < 32; i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("malformed " + kind + " id '" + text + "': expected 32 hex digits or a UUID");
            }
        }
        return new long[] {Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16)};
    }

    static String format(long hi, long lo) {
        return HexFormat.of().toHexDigits(hi) + HexFormat.of().toHexDigits(lo);
    }

    static long[] random() {
        return new long[] {RANDOM.nextLong(), RANDOM.nextLong()};
    }

    static long[] read(ByteBuffer b) {
        return new long[] {b.getLong(), b.getLong()};
    }
}
