package dev.quern.examples.invertedindex;

import dev.quern.api.Job;
import dev.quern.examples.Drivers;
import dev.quern.examples.Samples;

/**
 * Builds an inverted index: {@code invertedindex IN OUT} writes {@code word<TAB>a.txt,b.txt}
 * lines, each word (lower-cased letters and digits, see {@link Words}) with the sorted names of
 * the input files that contain it.
 */
public final class InvertedIndex {
  static final String USAGE = "invertedindex IN OUT";

  private InvertedIndex() {}

  public static void main(String[] args) throws Exception {
    Samples.InOut io = Drivers.inOut("invertedindex", USAGE, args, 0);
    Drivers.run(job(io.input(), io.output()));
    System.out.println("invertedindex: output in " + io.output());
  }

  public static Job job(String input, String output) {
    return Job.builder("invertedindex")
        .input(input)
        .output(output)
        .inputFormat(FileNameInputFormat.class)
        .mapper(WordFileMapper.class)
        .combiner(DistinctFilesCombiner.class)
        .reducer(FileListReducer.class)
        .mapOutput(String.class, String.class)
        .reduceTasks(2)
        .build();
  }
}
