import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns TeraGen's binary 100-byte records into lines that GNU sort orders by the same key: the
 * 10-byte key as 20 lowercase hex digits, then the 90 value bytes unchanged, then a newline (111
 * bytes a line). Under LC_ALL=C, comparing the first 20 characters of two lines is comparing the
 * keys as unsigned bytes, TeraSort's order. TeraGen's values never hold a newline byte; this
 * checks it and fails otherwise, naming the file and record.
 *
 * <p>Reads the visible files of IN (a file, or a directory's files not starting with _ or ., in
 * name order, so a sorted job output stays in order).
 *
 * <p>Usage: {@code java ToSortLines.java IN OUT}
 */
public final class ToSortLines {
  private static final byte[] HEX = "0123456789abcdef".getBytes();

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java ToSortLines.java IN OUT");
      System.exit(2);
    }
    Path in = Path.of(args[0]);
    List<Path> files;
    if (Files.isDirectory(in)) {
      try (Stream<Path> s = Files.list(in)) {
        files = s.filter(p -> !p.getFileName().toString().startsWith("_")
            && !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p))
            .sorted().toList();
      }
    } else {
      files = List.of(in);
    }
    byte[] rec = new byte[100];
    byte[] line = new byte[111];
    line[110] = '\n';
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(Path.of(args[1])),
        1 << 20)) {
      for (Path f : files) {
        try (InputStream r = new BufferedInputStream(Files.newInputStream(f), 1 << 20)) {
          for (long n = 0; ; n++) {
            int got = r.readNBytes(rec, 0, 100);
            if (got == 0) {
              break;
            }
            if (got != 100) {
              throw new IOException(f + ": truncated record " + n + " (" + got + " bytes)");
            }
            for (int i = 0; i < 10; i++) {
              line[2 * i] = HEX[(rec[i] >> 4) & 0xf];
              line[2 * i + 1] = HEX[rec[i] & 0xf];
            }
            for (int i = 10; i < 100; i++) {
              if (rec[i] == '\n') {
                throw new IOException(f + ": record " + n + " has a newline byte in its value");
              }
              line[i + 10] = rec[i];
            }
            out.write(line);
          }
        }
      }
    }
  }
}
