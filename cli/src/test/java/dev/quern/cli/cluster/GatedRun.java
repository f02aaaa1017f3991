package dev.quern.cli.cluster;

import dev.quern.testkit.Seed;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A gated WordCount's files: its input corpus, output path, gate directory (a {@code hold-map} or
 * {@code hold-reduce} file there holds those tasks until the test removes it) and job jar.
 */
record GatedRun(Path in, Path out, Path gate, Path jar) {

  /** Writes {@code files} input files of 1,000 lines under {@code tmp}, holding {@code holds}. */
  static GatedRun prepare(Path tmp, String name, Seed seed, int files, String... holds)
      throws Exception {
    Path in = ClusterFixture.corpus(tmp.resolve(name + "-in"), seed, files, 1_000);
    Path gate = Files.createDirectories(tmp.resolve(name + "-gate"));
    for (String h : holds) {
      Files.createFile(gate.resolve("hold-" + h));
    }
    return new GatedRun(in, tmp.resolve(name + "-out"), gate,
        ClusterFixture.gatedJar(tmp.resolve(name + ".jar")));
  }
}
