package io.storageengine.catalog.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * SQL of {@code segment_files} (name, size, chunk size, chunk count, CRC-32C of the whole file)
 * and {@code segment_chunks} (name, chunk_no, bytea), run inside the caller's transaction. Memory:
 * one chunk at a time, both ways. Stateless.
 */
public final class SegmentFileSql {
    /** A {@code segment_files} row. */
    public record FileRow(long size, int chunkSize, int chunks, long crc32c) {
    }

    /** What {@link #copyChunks} wrote: chunks in sequence from 0 (it stops at a gap), bytes, their CRC-32C. */
    public record Copied(int chunks, long bytes, long crc32c) {
    }

    private SegmentFileSql() {
    }

    public static Optional<FileRow> find(Connection c, String name, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT size_bytes, chunk_size, chunk_count, crc32c FROM segment_files WHERE name = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new FileRow(rs.getLong(1), rs.getInt(2), rs.getInt(3), rs.getLong(4))) : Optional.empty();
            }
        }
    }

    /** Inserts the file row and its chunks, read from {@code in} ({@code row.size()} bytes). */
    public static void insert(Connection c, String name, FileRow row, InputStream in) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO segment_files (name, size_bytes, chunk_size, chunk_count, crc32c) "
                + "VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, name);
            ps.setLong(2, row.size());
            ps.setInt(3, row.chunkSize());
            ps.setInt(4, row.chunks());
            ps.setLong(5, row.crc32c());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO segment_chunks (name, chunk_no, data) VALUES (?, ?, ?)")) {
            byte[] buf = new byte[row.chunkSize()];
            for (int i = 0; i < row.chunks(); i++) {
                int n = in.readNBytes(buf, 0, buf.length);
                ps.setString(1, name);
                ps.setInt(2, i);
                ps.setBytes(3, n == buf.length ? buf : Arrays.copyOf(buf, n));
                ps.executeUpdate();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams the chunks in order into {@code out} through a cursor, stopping at the first missing chunk number. */
    public static Copied copyChunks(Connection c, String name, OutputStream out) throws SQLException {
        CRC32C crc = new CRC32C();
        long written = 0;
        int next = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT chunk_no, data FROM segment_chunks WHERE name = ? ORDER BY chunk_no")) {
            ps.setFetchSize(1);
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && rs.getInt(1) == next) {
                    byte[] data = rs.getBytes(2);
                    crc.update(data);
                    out.write(data);
                    written += data.length;
                    next++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Copied(next, written, crc.getValue());
    }

    public static boolean delete(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM segment_files WHERE name = ?")) {
            ps.setString(1, name);
            return ps.executeUpdate() == 1;
        }
    }

    public static List<String> names(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM segment_files ORDER BY name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
