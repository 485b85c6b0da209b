package io.storageengine.ingest.bench;

import io.storageengine.testsupport.KafkaTestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts the test-support Kafka broker for {@code scripts/bench-ingest.sh} when no broker runs:
 * writes its bootstrap address to the file given as argument, then serves until the process is
 * stopped (the script kills it on exit). Single-threaded.
 */
public final class BenchBroker {
    private BenchBroker() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        KafkaTestBroker broker = KafkaTestBroker.shared();
        Files.writeString(Path.of(args[0]), broker.bootstrapServers() + "\n");
        System.err.println("bench broker ready at " + broker.bootstrapServers());
        Thread.sleep(Long.MAX_VALUE);
    }
}
