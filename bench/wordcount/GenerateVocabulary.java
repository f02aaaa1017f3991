import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Writes a seeded WordCount corpus over a vocabulary of random lowercase words (3 to 12 letters,
 * all distinct), drawn with a Zipf distribution (exponent 1), 5 to 15 words a line, until the
 * file has the requested size: the long-tailed shape that {@code GenerateCorpus}'s 50,000
 * syllable words do not have. The same arguments always give the same bytes.
 *
 * <p>Usage: {@code java GenerateVocabulary.java OUT MEBIBYTES WORDS [SEED]}, e.g. {@code 1024
 * 1000000} for 1 GiB over a million words.
 */
public final class GenerateVocabulary {
  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: java GenerateVocabulary.java OUT MEBIBYTES WORDS [SEED]");
      System.exit(2);
    }
    long bytes = Long.parseLong(args[1]) << 20;
    int words = Integer.parseInt(args[2]);
    Random random = new Random(args.length > 3 ? Long.parseLong(args[3]) : 42);
    byte[][] vocabulary = new byte[words][];
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < words; ) {
      char[] w = new char[3 + random.nextInt(10)];
      for (int j = 0; j < w.length; j++) {
        w[j] = (char) ('a' + random.nextInt(26));
      }
      String s = new String(w);
      if (seen.add(s)) {
        vocabulary[i++] = s.getBytes(StandardCharsets.US_ASCII);
      }
    }
    // Zipf(1): the cumulative weights 1/1 + 1/2 + ... + 1/k, searched with a uniform draw.
    double[] cumulative = new double[words];
    double sum = 0;
    for (int k = 0; k < words; k++) {
      sum += 1.0 / (k + 1);
      cumulative[k] = sum;
    }
    long written = 0;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[0])),
        1 << 20)) {
      while (written < bytes) {
        int n = 5 + random.nextInt(11);
        for (int i = 0; i < n; i++) {
          int k = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
          byte[] w = vocabulary[k >= 0 ? k : Math.min(words - 1, -k - 1)];
          if (i > 0) {
            out.write(' ');
            written++;
          }
          out.write(w);
          written += w.length;
        }
        out.write('\n');
        written++;
      }
    }
  }
}
