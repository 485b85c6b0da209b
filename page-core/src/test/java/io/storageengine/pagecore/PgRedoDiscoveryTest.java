package io.storageengine.pagecore;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.page.PageRef;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link java.util.ServiceLoader} lookup of {@link PgRedo}, in a fresh class loader (page-core's
 * own, with and without a services file), so the test JVM's own kinds stay without a provider.
 */
class PgRedoDiscoveryTest {

    /** A provider found through META-INF/services. */
    public static final class CountingRedo implements PgRedo {
        public CountingRedo() {
        }

        @Override
        public void apply(byte[] page, ByteBuffer rec, int blockId, boolean willInit, long endLsn, PageRef ref) {
            page[0] = 42;
        }
    }

    /** A provider whose constructor fails. */
    public static final class BrokenRedo implements PgRedo {
        public BrokenRedo() {
            throw new IllegalStateException("broken on purpose");
        }

        @Override
        public void apply(byte[] page, ByteBuffer rec, int blockId, boolean willInit, long endLsn, PageRef ref) {
        }
    }

    @TempDir
    Path dir;

    private Object redoAvailable(String provider) throws Exception {
        return inFreshLoader(provider, "redoAvailable");
    }

    private Object inFreshLoader(String provider, String method) throws Exception {
        Path services = dir.resolve(provider == null ? "none" : provider).resolve("META-INF/services");
        Files.createDirectories(services);
        if (provider != null) {
            Files.writeString(services.resolve(PgRedo.class.getName()), provider + "\n");
        }
        URL[] urls = {
            PgRecordKind.class.getProtectionDomain().getCodeSource().getLocation(),
            PgRedoDiscoveryTest.class.getProtectionDomain().getCodeSource().getLocation(),
            PageRef.class.getProtectionDomain().getCodeSource().getLocation(),
            services.getParent().getParent().toUri().toURL(),
        };
        try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            Class<?> kind = Class.forName(PgRecordKind.class.getName(), true, loader);
            Object answer = kind.getMethod(method).invoke(null);
            // the other kinds work whatever happened to the provider
            Object image = Class.forName(RecordKind.class.getName(), true, loader).getMethod("ofCode", byte.class)
                    .invoke(null, (byte) 0x01);
            assertThat(image.getClass().getName()).isEqualTo(PageImageKind.class.getName());
            return answer;
        }
    }

    @Test
    void aProviderListedInServicesIsFound() throws Exception {
        assertThat(redoAvailable(CountingRedo.class.getName())).isEqualTo(true);
    }

    @Test
    void withoutAProviderOrWithABrokenOneRedoIsUnavailableAndTheOtherKindsStillWork() throws Exception {
        assertThat(redoAvailable(null)).isEqualTo(false);
        assertThat(redoAvailable(BrokenRedo.class.getName())).isEqualTo(false);
    }
}
