package dev.quern.examples.grep;

import dev.quern.api.Configuration;
import dev.quern.api.Job;
import dev.quern.api.commit.OutputPaths;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.examples.Drivers;
import dev.quern.examples.LongSumReducer;
import dev.quern.examples.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;

/**
 * Counts the matches of a regular expression, as Hadoop's Grep does: {@code grep IN OUT REGEX
 * [GROUP]} writes {@code match<TAB>count} lines, most frequent first.
 *
 * <p>Two jobs run one after the other: the first counts every match into a temporary directory
 * (with a combiner), the second reads those counts back and sorts them by count, descending,
 * through a single reduce task, so the output is one ordered file.
 */
public final class Grep {
  /** The Java regular expression to look for. */
  public static final String REGEX = "grep.regex";

  /** Which capture group to count; 0, the default, counts the whole match. */
  public static final String GROUP = "grep.group";

  /** Used when the example runs with no arguments, on the built-in sample. */
  static final String SAMPLE_REGEX = "\\b[a-z]+ing\\b";

  static final String USAGE = "grep IN OUT REGEX [GROUP]";

  private Grep() {}

  public static void main(String[] args) throws Exception {
    Samples.InOut io = Drivers.inOut("grep", USAGE, args, 2);
    String regex;
    String group = "0";
    if (args.length == 0) {
      regex = SAMPLE_REGEX;
      System.out.println("grep: counting matches of " + regex);
    } else if (args.length >= 3) {
      regex = args[2];
      group = args.length == 4 ? args[3] : group;
    } else {
      throw new IllegalArgumentException("usage: " + USAGE);
    }
    run(io.input(), io.output(), regex, Integer.parseInt(group));
    System.out.println("grep: output in " + io.output());
  }

  /**
   * Runs both jobs; the temporary counts live beside the output, on its filesystem (local or
   * {@code hdfs://}), and are removed whatever happens.
   */
  public static void run(String input, String output, String regex, int group)
      throws InterruptedException {
    FileSystem fs;
    String temp;
    try {
      fs = FileSystems.get(output, Configuration.empty());
      String parent = OutputPaths.parent(output);
      fs.mkdirs(parent);
      temp = OutputPaths.join(parent,
          ".grep-" + Long.toUnsignedString(new SecureRandom().nextLong(), 36));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare grep's temporary directory beside "
          + output + ": " + e.getMessage(), e);
    }
    try {
      String counts = OutputPaths.join(temp, "counts");
      Drivers.run(countJob(input, counts, regex, group));
      Drivers.run(sortJob(counts, output));
    } finally {
      try {
        fs.delete(temp);
      } catch (IOException e) {
        System.err.println("grep: could not remove temporary directory " + temp + ": " + e);
      }
    }
  }

  public static Job countJob(String input, String output, String regex, int group) {
    return Job.builder("grep-search")
        .input(input)
        .output(output)
        .mapper(RegexMapper.class)
        .combiner(LongSumReducer.class)
        .reducer(LongSumReducer.class)
        .mapOutput(String.class, Long.class)
        .set(REGEX, regex)
        .set(GROUP, group)
        .build();
  }

  public static Job sortJob(String counts, String output) {
    return Job.builder("grep-sort")
        .input(counts)
        .output(output)
        .mapper(CountLineMapper.class)
        .reducer(SwapReducer.class)
        .mapOutput(Long.class, String.class)
        .output(String.class, Long.class)
        .sortComparator(DescendingLongComparator.class)
        .reduceTasks(1)
        .build();
  }
}
