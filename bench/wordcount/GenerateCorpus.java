import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a seeded text corpus for the WordCount benchmark: words drawn from a fixed vocabulary
 * with a Zipf distribution (exponent 1), 5 to 15 words a line, until the file has the requested
 * size. The same arguments always give the same bytes.
 *
 * <p>Usage: {@code java GenerateCorpus.java OUT MEBIBYTES [SEED]}
 */
public final class GenerateCorpus {
  private static final int VOCABULARY = 50_000;
  private static final int TABLE_BITS = 22;
  private static final String[] SYLLABLES = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi",
      "qu", "ern", "ba", "de", "fi", "go", "hu", "ja", "ze", "pa", "or", "il", "an", "es"};

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: java GenerateCorpus.java OUT MEBIBYTES|KIBIBYTESk [SEED]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    // A size ending in k is in KiB (64k), for the tiny start-up-dominated runs of bench/peers.
    long bytes = args[1].endsWith("k")
        ? Long.parseLong(args[1].substring(0, args[1].length() - 1)) << 10
        : Long.parseLong(args[1]) << 20;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 42L;
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[][] words = vocabulary(new SplittableRandom(seed ^ 0x5DEECE66DL));
    int[] table = zipfTable(words.length);
    long written = 0;
    Path tmp = out.resolveSibling(out.getFileName() + ".partial");
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      while (written < bytes) {
        int n = 5 + rnd.nextInt(11);
        for (int i = 0; i < n; i++) {
          byte[] w = words[table[rnd.nextInt(table.length)]];
          if (i > 0) {
            o.write(' ');
            written++;
          }
          o.write(w);
          written += w.length;
        }
        o.write('\n');
        written++;
      }
    }
    Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    System.out.printf("wrote %s: %,d bytes, seed %d%n", out, written, seed);
  }

  /** Distinct pronounceable words of 1 to 5 syllables. */
  private static byte[][] vocabulary(SplittableRandom rnd) {
    java.util.LinkedHashSet<String> set = new java.util.LinkedHashSet<>();
    while (set.size() < VOCABULARY) {
      StringBuilder sb = new StringBuilder();
      int syllables = 1 + rnd.nextInt(5);
      for (int i = 0; i < syllables; i++) {
        sb.append(SYLLABLES[rnd.nextInt(SYLLABLES.length)]);
      }
      set.add(sb.toString());
    }
    byte[][] words = new byte[VOCABULARY][];
    int i = 0;
    for (String w : set) {
      words[i++] = w.getBytes(StandardCharsets.US_ASCII);
    }
    return words;
  }

  /** A lookup table whose uniform sampling gives word rank r with probability ~ 1/(r+1). */
  private static int[] zipfTable(int n) {
    double[] cumulative = new double[n];
    double sum = 0;
    for (int r = 0; r < n; r++) {
      sum += 1.0 / (r + 1);
      cumulative[r] = sum;
    }
    int[] table = new int[1 << TABLE_BITS];
    int r = 0;
    for (int i = 0; i < table.length; i++) {
      double u = (i + 0.5) / table.length * sum;
      while (cumulative[r] < u) {
        r++;
      }
      table[i] = r;
    }
    return table;
  }
}
