package io.storageengine.testsupport.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Cleans up after test JVMs that were killed before their shutdown hook ran: a directory
 * {@code <tmp>/se-pg-*} whose {@code owner.pid} names a process that no longer exists holds a
 * cluster nobody uses; its server (if still running) is stopped immediately and the directory
 * deleted. Directories of live JVMs are never touched. Stateless; thread-safe.
 */
public final class StalePostgres {

    private StalePostgres() {
    }

    /** Stops and removes clusters under {@code tmp} whose owning JVM is gone. Best effort, never throws. */
    public static void reap(Path tmp, Path bin) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, "se-pg-*")) {
            for (Path dir : dirs) {
                reapOne(dir, bin);
            }
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }

    private static void reapOne(Path dir, Path bin) {
        try {
            Path ownerFile = dir.resolve("owner.pid");
            if (!Files.isRegularFile(ownerFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(ownerFile).trim());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return;
            }
            Path data = dir.resolve("data");
            if (Files.exists(data.resolve("postmaster.pid"))) {
                String owner = Files.getOwner(dir).getName();
                String runAs = PgInstall.runningAsRoot() && !owner.equals("root") ? owner : null;
                Exec.run(runAs, List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate",
                        "-w", "-t", "30", "stop"), dir, Map.of("LC_ALL", "C"), Duration.ofSeconds(40));
            }
            deleteTree(dir);
        } catch (IOException | RuntimeException e) {
            // someone else's directory or a race with another reaper: leave it
        }
    }

    /** Deletes a directory tree; best effort. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // leftovers in tmp are harmless
        }
    }
}
