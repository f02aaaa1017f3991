package dev.quern.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parsed {@code --master} option. This build runs jobs only in a cluster it starts inside the
 * command's own JVM: {@code local} or {@code local[*]} (one worker per core) or {@code local[N]}.
 *
 * @param workers how many workers the local cluster gets
 */
record MasterAddress(int workers) {
  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)])?");

  static MasterAddress parse(String text) {
    Matcher m = LOCAL.matcher(text.trim());
    if (!m.matches()) {
      throw new UsageException("--master '" + text + "' is not supported: this build runs jobs "
          + "in a local cluster only, written local, local[*] or local[N]");
    }
    String n = m.group(1);
    if (n == null || n.equals("*")) {
      return new MasterAddress(Runtime.getRuntime().availableProcessors());
    }
    int workers;
    try {
      workers = Integer.parseInt(n);
    } catch (NumberFormatException e) {
      workers = 0;
    }
    if (workers < 1 || workers > 256) {
      throw new UsageException("--master '" + text + "': the number of workers must be 1 to 256");
    }
    return new MasterAddress(workers);
  }

  @Override
  public String toString() {
    return "local[" + workers + "]";
  }
}
