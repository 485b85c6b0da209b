package io.storageengine.runtime.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessMemoryTest {
    @Test
    void parsesAnonymousAndFileResidentKib() {
        ProcessMemory.Resident r = ProcessMemory.Resident.parse(List.of("Name:\tjava", "VmRSS:\t  1500 kB",
                "RssAnon:\t  1000 kB", "RssFile:\t   400 kB", "RssShmem:\t 100 kB"));
        assertThat(r).isEqualTo(new ProcessMemory.Resident(1000 * 1024, 400 * 1024));
    }

    @Test
    void missingOrGarbledLinesAreUnknownNotZero() {
        assertThat(ProcessMemory.Resident.parse(List.of("VmRSS: 12 kB"))).isEqualTo(ProcessMemory.Resident.UNKNOWN);
        assertThat(ProcessMemory.Resident.parse(List.of("RssAnon: lots", "RssFile: 3 kB")))
                .isEqualTo(new ProcessMemory.Resident(-1, 3 * 1024));
    }

    @Test
    void budgetIsTheConfiguredValueOrHeapPlusNativeCachesPlusOverhead() {
        assertThat(ProcessMemory.budgetBytes(1536, 256)).isEqualTo(1536L << 20);
        assertThat(ProcessMemory.budgetBytes(0, 256))
                .isEqualTo(Runtime.getRuntime().maxMemory() + (256L << 20) + ProcessMemory.JVM_OVERHEAD_BYTES);
    }

    @Test
    void gaugesReadThisProcess() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProcessMemory.register(registry, 123L << 20); // not kept: the gauges must hold it
        System.gc();
        assertThat(registry.get("se.process.memory.budget").gauge().value()).isEqualTo(123L << 20);
        double anon = registry.get("se.process.memory.resident").tag("kind", "anon").gauge().value();
        if (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/status"))) {
            assertThat(anon).isGreaterThan(1 << 20); // a JVM holds more than a MiB of anonymous memory
        } else {
            assertThat(anon).isNaN();
        }
    }
}
