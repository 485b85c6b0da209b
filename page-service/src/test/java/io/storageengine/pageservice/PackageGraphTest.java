package io.storageengine.pageservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The page service's main packages form no cycle. Reads the main sources, takes every reference to
 * an {@code io.storageengine.pageservice.*} type outside comments and string literals (imports,
 * static imports, fully qualified names) as an edge from the file's package to the type's package,
 * and fails with the strongly connected components of more than one package. A package and its
 * {@code internal} subpackage count as two packages. The graph is documented in the module README.
 */
class PackageGraphTest {
    static final String ROOT = "io.storageengine.pageservice";
    private static final Path SOURCES = Path.of("src/main/java/io/storageengine/pageservice");
    private static final Pattern REFERENCE = Pattern.compile(
            "\\bio\\.storageengine\\.pageservice((?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z*])");

    @Test
    void mainPackagesHaveNoCycle() {
        Map<String, Set<String>> graph = graph(SOURCES);
        assertThat(graph).as("parsed the main sources").containsKeys(ROOT, ROOT + ".topology", ROOT + ".read");
        assertThat(graph.get(ROOT + ".topology")).as("a known edge is found").contains(ROOT + ".hotstore");
        assertThat(cycles(graph)).as("package cycles (each a strongly connected component) in " + graph).isEmpty();
    }

    @Test
    void theTopologySideNeverDependsOnTheColdTierOrTheStreamsApp() {
        Map<String, Set<String>> graph = graph(SOURCES);
        for (String p : List.of(ROOT + ".topology", ROOT + ".topology.trim", ROOT + ".hotstore", ROOT + ".read")) {
            assertThat(reachable(graph, p)).as("reachable from " + p)
                    .doesNotContain(ROOT + ".cold", ROOT + ".streams", ROOT + ".http", ROOT);
        }
        assertThat(reachable(graph, ROOT + ".http")).doesNotContain(ROOT + ".streams", ROOT + ".cold");
    }

    @Test
    void theCheckFindsACycle() {
        Map<String, Set<String>> graph = new TreeMap<>();
        graph.put("a", new TreeSet<>(Set.of("b")));
        graph.put("b", new TreeSet<>(Set.of("c")));
        graph.put("c", new TreeSet<>(Set.of("a")));
        graph.put("d", new TreeSet<>(Set.of("a")));
        assertThat(cycles(graph)).containsExactly(List.of("a", "b", "c"));
    }

    @Test
    void referencesInCommentsAndStringsAreNotEdges() {
        String code = """
                package x;
                import io.storageengine.pageservice.read.PageReader; // io.storageengine.pageservice.cold.X
                /* io.storageengine.pageservice.streams.Y */
                class Z { String s = "io.storageengine.pageservice.http.W"; io.storageengine.pageservice.metrics.M m; }
                """;
        assertThat(references(code)).containsExactlyInAnyOrder(ROOT + ".read", ROOT + ".metrics");
    }

    /** Package → packages its main sources reference (self references left out). */
    static Map<String, Set<String>> graph(Path sources) {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = ROOT + (f.getParent().equals(sources) ? ""
                        : "." + sources.relativize(f.getParent()).toString().replace('/', '.'));
                Set<String> out = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                for (String ref : references(Files.readString(f))) {
                    if (!ref.equals(pkg)) {
                        out.add(ref);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    static Set<String> references(String source) {
        Set<String> out = new TreeSet<>();
        Matcher m = REFERENCE.matcher(code(source));
        while (m.find()) {
            out.add(ROOT + m.group(1));
        }
        return out;
    }

    /** The source with comments and string/char literals blanked. */
    static String code(String s) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (s.startsWith("//", i)) {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
                b.append(' ');
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                i = end < 0 ? s.length() : end + 3;
                b.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != c) {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                b.append(c).append(c);
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    /** Strongly connected components of more than one node (Tarjan), each sorted. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                strongConnect(v, graph, index, low, stack, onStack, out);
            }
        }
        return out;
    }

    private static void strongConnect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                      Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                      List<List<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strongConnect(w, graph, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                component.sort(null);
                out.add(component);
            }
        }
    }

    private static Set<String> reachable(Map<String, Set<String>> graph, String from) {
        Set<String> seen = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>(graph.getOrDefault(from, Set.of()));
        while (!todo.isEmpty()) {
            String p = todo.pop();
            if (seen.add(p)) {
                todo.addAll(graph.getOrDefault(p, Set.of()));
            }
        }
        return seen;
    }
}
