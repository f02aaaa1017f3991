import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.StringTokenizer;

/**
 * The baseline for the WordCount benchmark: one thread, a {@code HashMap<String, Integer>} over a
 * {@code BufferedReader}, split by {@link StringTokenizer} as Quern's WordCount splits.
 *
 * <p>Usage: {@code java PlainWordCount.java IN OUT-FILE} (writes {@code word<TAB>count} lines).
 */
public final class PlainWordCount {
  public static void main(String[] args) throws IOException {
    Map<String, Integer> counts = new HashMap<>();
    try (BufferedReader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        StringTokenizer t = new StringTokenizer(line);
        while (t.hasMoreTokens()) {
          counts.merge(t.nextToken(), 1, Integer::sum);
        }
      }
    }
    try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8)) {
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        out.write(e.getKey() + "\t" + e.getValue() + "\n");
      }
    }
  }
}
