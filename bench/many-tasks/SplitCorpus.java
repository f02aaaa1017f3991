import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cuts the start of a corpus into FILES files of about SIZE bytes each (at line ends) under MANY,
 * and writes the same bytes into 4 files under FEW.
 *
 * <p>java SplitCorpus.java CORPUS MANY FEW FILES SIZE
 */
public final class SplitCorpus {
  public static void main(String[] args) throws IOException {
    byte[] corpus = Files.readAllBytes(Path.of(args[0]));
    Path many = Files.createDirectories(Path.of(args[1]));
    Path few = Files.createDirectories(Path.of(args[2]));
    int files = Integer.parseInt(args[3]);
    int size = Integer.parseInt(args[4]);
    int pos = 0;
    int[] ends = new int[files];
    for (int i = 0; i < files; i++) {
      int end = Math.min(corpus.length, pos + size);
      while (end < corpus.length && corpus[end - 1] != '\n') {
        end++;
      }
      Files.write(many.resolve(String.format("part-%06d.txt", i)),
          java.util.Arrays.copyOfRange(corpus, pos, end));
      ends[i] = end;
      pos = end;
    }
    int start = 0;
    for (int q = 0; q < 4; q++) {
      int end = ends[Math.min(files, (q + 1) * files / 4) - 1];
      try (OutputStream out = Files.newOutputStream(few.resolve("part-" + q + ".txt"))) {
        out.write(corpus, start, end - start);
      }
      start = end;
    }
  }
}
