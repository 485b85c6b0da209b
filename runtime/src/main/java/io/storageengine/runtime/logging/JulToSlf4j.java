package io.storageengine.runtime.logging;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes java.util.logging (Helidon's logging) into SLF4J, so every line of the process has the
 * same layout (JSON with {@code SE_LOG_JSON=true}). {@link #install()} replaces the root JUL
 * logger's handlers; a service's {@code main} calls it once, before starting a web server.
 * Thread-safe (SLF4J loggers are).
 */
public final class JulToSlf4j extends Handler {
    private final SimpleFormatter formatter = new SimpleFormatter();

    private JulToSlf4j() {
    }

    /** Replaces the root JUL logger's handlers with this bridge at level INFO. */
    public static void install() {
        java.util.logging.Logger root = LogManager.getLogManager().getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        root.addHandler(new JulToSlf4j());
        root.setLevel(Level.INFO);
    }

    @Override
    public void publish(LogRecord r) {
        Logger log = LoggerFactory.getLogger(r.getLoggerName() == null ? "jul" : r.getLoggerName());
        String msg = formatter.formatMessage(r);
        int level = r.getLevel().intValue();
        if (level >= Level.SEVERE.intValue()) {
            log.error(msg, r.getThrown());
        } else if (level >= Level.WARNING.intValue()) {
            log.warn(msg, r.getThrown());
        } else if (level >= Level.INFO.intValue()) {
            log.info(msg, r.getThrown());
        } else {
            log.debug(msg, r.getThrown());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
