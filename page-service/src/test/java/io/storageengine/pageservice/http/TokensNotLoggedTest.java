package io.storageengine.pageservice.http;

import static io.storageengine.pageservice.http.TestServer.TENANT;
import static io.storageengine.pageservice.http.TestServer.TIMELINE;
import static io.storageengine.pageservice.http.TestServer.pagePath;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pageservice.ownership.Ownership;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Tokens never reach a log: every logger (log4j2 through SLF4J, and java.util.logging, which
 * Helidon uses) is turned up to ALL and captured while authenticated, rejected, expired and
 * forwarded requests run; the captured text (messages and stack traces) and the responses must not
 * contain any token, nor its signature part.
 */
class TokensNotLoggedTest {
    @Test
    void noTokenInAnyLogOrResponse() throws Exception {
        TestTokens tokens = new TestTokens();
        String good = tokens.tenant(TENANT);
        String other = tokens.tenant(AuthTest.OTHER_TENANT);
        String expired = tokens.expired(TENANT);
        String foreign = new TestTokens().tenant(TENANT);
        String garbage = "not-a-jwt-" + Long.toHexString(System.nanoTime()) + "-secret";
        List<String> secrets = List.of(good, other, expired, foreign, garbage);

        StringBuilder captured = new StringBuilder();
        List<byte[]> bodies = new ArrayList<>();
        try (Capture ignored = new Capture(captured)) {
            LoggerFactory.getLogger(TokensNotLoggedTest.class).info("capture-marker-slf4j");
            java.util.logging.Logger.getLogger("io.helidon").info("capture-marker-jul");
            TestServer a = new TestServer(tokens.env());
            TestServer b = new TestServer(tokens.env());
            try {
                a.ownership = key -> key.page().block() % 2 == 0 ? TestServer.LOCAL
                        : new Ownership.Remote(0, "127.0.0.1", b.port());
                for (String t : secrets) {
                    for (int block = 1; block <= 2; block++) {
                        bodies.add(a.get(pagePath(block), "Authorization", "Bearer " + t).body());
                        bodies.add(a.get(pagePath(404 + block), "Authorization", "Bearer " + t).body());
                    }
                    bodies.add(a.get("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE, "Authorization", "Bearer " + t).body());
                    bodies.add(a.post("/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/batch",
                            BatchRoutesTest.body("0/1", 1, 2, 3), "Authorization", "Bearer " + t).body());
                    bodies.add(a.get("/no/such/route", "Authorization", "Bearer " + t).body());
                }
                HttpResponse<byte[]> ok = a.get(pagePath(3), "Authorization", "Bearer " + good);
                assertThat(ok.statusCode()).as("forwarded authenticated read").isEqualTo(200);
            } finally {
                a.close();
                b.close();
            }
        }
        String logs = captured.toString();
        assertThat(logs).as("the capture sees both logging systems").contains("capture-marker-slf4j", "capture-marker-jul");
        for (String s : secrets) {
            String signature = s.contains(".") ? s.substring(s.lastIndexOf('.') + 1) : s;
            assertThat(logs).doesNotContain(s);
            if (!signature.isEmpty()) {
                assertThat(logs).doesNotContain(signature);
            }
            for (byte[] body : bodies) {
                assertThat(new String(body)).doesNotContain(s);
            }
        }
    }

    /** Turns every logger to ALL and records what they log; restores the levels on close. */
    private static final class Capture implements AutoCloseable {
        private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
        private final Map<LoggerConfig, Level> levels = new HashMap<>();
        private final AbstractAppender appender;
        private final Handler handler;
        private final java.util.logging.Level julLevel;
        private final java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");

        Capture(StringBuilder out) {
            appender = new AbstractAppender("token-capture", null, null, true, Property.EMPTY_ARRAY) {
                @Override
                public void append(LogEvent e) {
                    synchronized (out) {
                        out.append(e.getLoggerName()).append(' ').append(e.getMessage().getFormattedMessage()).append('\n');
                        if (e.getThrown() != null) {
                            out.append(stack(e.getThrown()));
                        }
                    }
                }
            };
            appender.start();
            Configuration config = context.getConfiguration();
            List<LoggerConfig> all = new ArrayList<>(config.getLoggers().values());
            all.add(config.getRootLogger());
            for (LoggerConfig lc : all) {
                levels.put(lc, lc.getLevel());
                lc.setLevel(Level.ALL);
            }
            config.getRootLogger().addAppender(appender, Level.ALL, null);
            context.updateLoggers();
            handler = new Handler() {
                @Override
                public void publish(LogRecord r) {
                    synchronized (out) {
                        out.append(r.getLoggerName()).append(' ').append(r.getMessage());
                        if (r.getParameters() != null) {
                            for (Object p : r.getParameters()) {
                                out.append(' ').append(p);
                            }
                        }
                        out.append('\n');
                        if (r.getThrown() != null) {
                            out.append(stack(r.getThrown()));
                        }
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            handler.setLevel(java.util.logging.Level.ALL);
            julLevel = julRoot.getLevel();
            julRoot.setLevel(java.util.logging.Level.ALL);
            julRoot.addHandler(handler);
        }

        private static String stack(Throwable t) {
            StringWriter w = new StringWriter();
            t.printStackTrace(new PrintWriter(w));
            return w.toString();
        }

        @Override
        public void close() {
            julRoot.removeHandler(handler);
            julRoot.setLevel(julLevel);
            Configuration config = context.getConfiguration();
            config.getRootLogger().removeAppender("token-capture");
            levels.forEach(LoggerConfig::setLevel);
            context.updateLoggers();
            appender.stop();
        }
    }
}
