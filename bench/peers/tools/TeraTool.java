import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The TeraSort side of bench/peers/run.sh, independent of every system it checks.
 *
 * <ul>
 *   <li>{@code check IN_DIR OUT_DIR}: OUT_DIR's data files, read in name order, hold the same
 *       records as IN_DIR's (count and sum of per-record CRC32, TeraValidate's checksum, which
 *       TeraGen also prints as CHECKSUM) in non-decreasing unsigned key order.
 *   <li>{@code tolines IN_DIR OUT_FILE}: the GNU sort baseline's input, one 100-byte line per
 *       record: the 10-byte key as 20 hex digits (hex keeps the unsigned byte order and has no
 *       newline), the record's bytes 10..88, and a newline. Same record count and bytes as the
 *       binary input; the line order is the key order.
 *   <li>{@code checklines IN_FILE OUT_FILE}: OUT_FILE holds IN_FILE's lines (count and CRC32 sum)
 *       in non-decreasing byte order.
 * </ul>
 *
 * Data files are those whose names start with neither '_' nor '.' (markers and .crc files).
 */
public final class TeraTool {
  private static final int RECORD = 100;
  private static final int KEY = 10;

  record Summary(long records, long checksum) {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      usage();
    }
    switch (args[0]) {
      case "check" -> check(Path.of(args[1]), Path.of(args[2]));
      case "tolines" -> toLines(Path.of(args[1]), Path.of(args[2]));
      case "checklines" -> checkLines(Path.of(args[1]), Path.of(args[2]));
      default -> usage();
    }
  }

  private static void usage() {
    System.err.println("usage: java TeraTool.java check IN_DIR OUT_DIR"
        + " | tolines IN_DIR OUT_FILE | checklines IN_FILE OUT_FILE");
    System.exit(2);
  }

  private static void check(Path in, Path out) throws IOException {
    Summary expected = scan(in, false);
    Summary actual = scan(out, true);
    if (!expected.equals(actual)) {
      fail("TeraSort output " + out + " holds " + actual + " but its input " + in + " holds "
          + expected);
    }
    System.out.printf("ok: %s is sorted, %,d records, checksum %d (as input)%n", out,
        actual.records(), actual.checksum());
  }

  private static Summary scan(Path dir, boolean mustBeSorted) throws IOException {
    byte[] record = new byte[RECORD];
    byte[] previous = null;
    long records = 0;
    long checksum = 0;
    CRC32 crc = new CRC32();
    for (Path file : dataFiles(dir)) {
      long offset = 0;
      try (InputStream s = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
        int n;
        while ((n = s.readNBytes(record, 0, RECORD)) == RECORD) {
          crc.reset();
          crc.update(record);
          checksum += crc.getValue();
          if (mustBeSorted) {
            if (previous != null
                && Arrays.compareUnsigned(previous, 0, KEY, record, 0, KEY) > 0) {
              fail("not sorted: " + file + " offset " + offset + " has a key below the one"
                  + " before it");
            }
            if (previous == null) {
              previous = new byte[KEY];
            }
            System.arraycopy(record, 0, previous, 0, KEY);
          }
          records++;
          offset += RECORD;
        }
        if (n != 0) {
          fail(file + " ends with a partial record of " + n + " bytes at offset " + offset);
        }
      }
    }
    return new Summary(records, checksum);
  }

  private static void toLines(Path in, Path out) throws IOException {
    byte[] record = new byte[RECORD];
    byte[] line = new byte[RECORD];
    byte[] hex = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Path tmp = out.resolveSibling(out.getFileName() + ".partial");
    long records = 0;
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      for (Path file : dataFiles(in)) {
        try (InputStream s = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
          int n;
          while ((n = s.readNBytes(record, 0, RECORD)) == RECORD) {
            for (int i = 0; i < KEY; i++) {
              line[2 * i] = hex[(record[i] >> 4) & 0xF];
              line[2 * i + 1] = hex[record[i] & 0xF];
            }
            System.arraycopy(record, KEY, line, 2 * KEY, RECORD - 2 * KEY - 1);
            for (int i = 2 * KEY; i < RECORD - 1; i++) {
              if (line[i] == '\n') {
                fail(file + " record " + records + " has a newline byte in its value: not"
                    + " TeraGen data");
              }
            }
            line[RECORD - 1] = '\n';
            o.write(line);
            records++;
          }
          if (n != 0) {
            fail(file + " ends with a partial record of " + n + " bytes");
          }
        }
      }
    }
    Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    System.out.printf("wrote %s: %,d lines of %d bytes%n", out, records, RECORD);
  }

  private static void checkLines(Path in, Path out) throws IOException {
    Summary expected = scanLines(in, false);
    Summary actual = scanLines(out, true);
    if (!expected.equals(actual)) {
      fail("sorted lines " + out + " hold " + actual + " but " + in + " holds " + expected);
    }
    System.out.printf("ok: %s is sorted, %,d lines, checksum %d (as input)%n", out,
        actual.records(), actual.checksum());
  }

  private static Summary scanLines(Path file, boolean mustBeSorted) throws IOException {
    byte[] line = new byte[RECORD];
    byte[] previous = new byte[RECORD];
    long records = 0;
    long checksum = 0;
    CRC32 crc = new CRC32();
    try (InputStream s = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
      int n;
      while ((n = s.readNBytes(line, 0, RECORD)) == RECORD) {
        if (line[RECORD - 1] != '\n') {
          fail(file + " line " + records + " is not " + RECORD + " bytes with a newline");
        }
        crc.reset();
        crc.update(line);
        checksum += crc.getValue();
        if (mustBeSorted && records > 0 && Arrays.compareUnsigned(previous, line) > 0) {
          fail("not sorted: " + file + " line " + records + " sorts below the one before it");
        }
        System.arraycopy(line, 0, previous, 0, RECORD);
        records++;
      }
      if (n != 0) {
        throw new EOFException(file + " ends with a partial line of " + n + " bytes");
      }
    }
    return new Summary(records, checksum);
  }

  private static List<Path> dataFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      fail("no such directory: " + dir);
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> data = files
          .filter(p -> !p.getFileName().toString().startsWith("_"))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
      if (data.isEmpty()) {
        fail("no data files in " + dir);
      }
      return data;
    }
  }

  private static void fail(String message) {
    System.err.println("FAILED: " + message);
    System.exit(1);
  }
}
