import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes WORDS words, 10 a line, each "w" and five digits from a 100,000-word vocabulary; with
 * HOT_PERCENT > 0 that share of them is the one word "hhhhhh" (same length, so both files have
 * the same bytes and records). Seeded: the same arguments give the same file.
 *
 *   java GenerateSkewed.java OUT WORDS HOT_PERCENT SEED
 */
public final class GenerateSkewed {
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    long words = Long.parseLong(args[1]);
    int hotPercent = Integer.parseInt(args[2]);
    SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[3]));
    long hot = 0;
    char[] word = {'w', '0', '0', '0', '0', '0'};
    try (BufferedWriter w = new BufferedWriter(
        new OutputStreamWriter(Files.newOutputStream(out), StandardCharsets.US_ASCII), 1 << 16)) {
      for (long i = 0; i < words; i++) {
        if (hotPercent > 0 && rnd.nextInt(100) < hotPercent) {
          w.write("hhhhhh");
          hot++;
        } else {
          int n = rnd.nextInt(100_000);
          for (int d = 5; d >= 1; d--) {
            word[d] = (char) ('0' + n % 10);
            n /= 10;
          }
          w.write(word);
        }
        w.write(i % 10 == 9 ? '\n' : ' ');
      }
      w.write('\n');
    }
    System.out.println(hot);
  }
}
