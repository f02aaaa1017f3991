package dev.quern.examples.wordcount;

import dev.quern.api.Job;
import dev.quern.examples.Drivers;
import dev.quern.examples.LongSumReducer;
import dev.quern.examples.Samples;

/**
 * Counts the words of text files: {@code wordcount IN OUT} writes {@code word<TAB>count} lines,
 * sorted by word within each output file. A combiner sums counts on the map side, so the shuffle
 * carries one record per distinct word per map task.
 */
public final class WordCount {
  static final String USAGE = "wordcount IN OUT";

  private WordCount() {}

  public static void main(String[] args) throws Exception {
    Samples.InOut io = Drivers.inOut("wordcount", USAGE, args, 0);
    Drivers.run(job(io.input(), io.output()));
    System.out.println("wordcount: output in " + io.output());
  }

  public static Job job(String input, String output) {
    return Job.builder("wordcount")
        .input(input)
        .output(output)
        .mapper(TokenizerMapper.class)
        .combiner(LongSumReducer.class)
        .reducer(LongSumReducer.class)
        .mapOutput(String.class, Long.class)
        .reduceTasks(2)
        .build();
  }
}
