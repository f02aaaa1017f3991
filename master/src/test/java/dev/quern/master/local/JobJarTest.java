package dev.quern.master.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.JobSpec;
import dev.quern.api.JobState;
import dev.quern.api.JobStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job whose mapper exists only in its jar: it loads through the job's own class loader. */
class JobJarTest {
  @TempDir Path tmp;
  @TempDir static Path jarDir;
  private static Path jar;

  private static final String MAPPER = """
      package jarjob;
      public class UpperMapper implements dev.quern.api.Mapper<Long, String, String, Long> {
        public void map(Long k, String line, dev.quern.api.Context<String, Long> ctx) {
          for (String w : line.split("\\\\s+")) if (!w.isEmpty()) ctx.emit(w.toUpperCase(), 1L);
        }
      }
      """;

  /** Compiles the mapper once per class (javac is the slow part). */
  @BeforeAll
  static void buildJar() throws Exception {
    Path src = Files.createDirectories(jarDir.resolve("src/jarjob"));
    Files.writeString(src.resolve("UpperMapper.java"), MAPPER);
    Path classes = Files.createDirectories(jarDir.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp",
        System.getProperty("java.class.path"), src.resolve("UpperMapper.java").toString());
    assertThat(rc).as("javac exit code").isZero();
    jar = jarDir.resolve("job.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(f));
        out.closeEntry();
      }
    }
  }

  private static JobSpec withMapper(JobSpec s, String mapper, String jar) {
    return new JobSpec(s.name(), s.user(), jar, s.inputPaths(), s.outputPath(), s.inputFormat(),
        s.outputFormat(), mapper, s.combiner(), s.reducer(), s.partitioner(), s.reduceTasks(),
        s.mapOutputKeyClass(), s.mapOutputValueClass(), s.outputKeyClass(),
        s.outputValueClass(), s.sortComparator(), s.groupingComparator(), s.config());
  }

  @Test
  void aMapperFromTheJobJarRuns() throws Exception {
    Path in = WordCount.writeInput(tmp.resolve("in"), 5L, 2, 100);
    Path out = tmp.resolve("out");
    JobSpec spec = withMapper(WordCount.job("jar", in, out).reduceTasks(2).build().spec(),
        "jarjob.UpperMapper", jar.toString());
    assertThatThrownBy(() -> Class.forName("jarjob.UpperMapper"))
        .isInstanceOf(ClassNotFoundException.class);

    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(2, 1))) {
      JobStatus s = cluster.submit(spec).awaitCompletion(Duration.ofMinutes(2));

      assertThat(s.state()).as("failure: %s", s.failure()).isEqualTo(JobState.SUCCEEDED);
      Map<String, Long> expected = new TreeMap<>();
      WordCount.expected(in).forEach((w, c) -> expected.merge(w.toUpperCase(), c, Long::sum));
      assertThat(WordCount.readOutput(out)).isEqualTo(expected);
    }
  }

  @Test
  void aClassMissingFromTheJarIsNamed() throws Exception {
    Path in = WordCount.writeInput(tmp.resolve("in"), 5L, 1, 10);
    JobSpec spec = withMapper(WordCount.job("jar", in, tmp.resolve("out")).build().spec(),
        "jarjob.Missing", jar.toString());
    try (LocalCluster cluster = LocalCluster.start(TestClusters.options(1, 1))) {
      assertThatThrownBy(() -> cluster.submit(spec))
          .hasMessage("mapper class jarjob.Missing not found in job jar " + jar);
      assertThat(cluster.jobs()).isEqualTo(List.of());
    }
  }
}
