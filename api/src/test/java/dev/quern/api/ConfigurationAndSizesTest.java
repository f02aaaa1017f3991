package dev.quern.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigurationAndSizesTest {

  @ParameterizedTest
  @CsvSource({"65536, 65536", "64k, 65536", "64K, 65536", "64kb, 65536", "64m, 67108864",
      "' 1g ', 1073741824", "0, 0", "7b, 7", "2 m, 2097152"})
  void sizesParsePlainNumbersAndBinarySuffixes(String text, long bytes) {
    assertThat(Sizes.parse("quern.input.split-size", text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "m", "-1", "-1k", "1.5m", "64t", "abc", "99999999999g", "1 0k"})
  void badSizesNameTheKeyAndTheText(String text) {
    assertThatThrownBy(() -> Sizes.parse("quern.input.split-size", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("configuration entry 'quern.input.split-size' is not a size "
            + "(like 65536, 64k, 64m, 1g): '" + text + "'");
  }

  @Test
  void sizesFromConfigurationUseTheDefaultWhenAbsent() {
    Configuration conf = Configuration.of(Map.of("a", "2k"));
    assertThat(Sizes.get(conf, "a", 1)).isEqualTo(2048);
    assertThat(Sizes.get(conf, "b", 1)).isEqualTo(1);
  }

  @Test
  void numbersAndBooleansParseOrFailNamingTheKey() {
    Configuration conf = Configuration.of(Map.of("n", " 42 ", "d", "2.5", "t", "Yes", "f", "off",
        "bad", "forty", "maybe", "perhaps"));
    assertThat(conf.getInt("n", 0)).isEqualTo(42);
    assertThat(conf.getLong("n", 0)).isEqualTo(42L);
    assertThat(conf.getDouble("d", 0)).isEqualTo(2.5);
    assertThat(conf.getBoolean("t", false)).isTrue();
    assertThat(conf.getBoolean("f", true)).isFalse();
    assertThat(conf.getInt("absent", 7)).isEqualTo(7);
    assertThatThrownBy(() -> conf.getInt("bad", 0))
        .hasMessage("configuration entry 'bad' is not a number: 'forty'");
    assertThatThrownBy(() -> conf.getLong("bad", 0))
        .hasMessage("configuration entry 'bad' is not a number: 'forty'");
    assertThatThrownBy(() -> conf.getDouble("bad", 0))
        .hasMessage("configuration entry 'bad' is not a number: 'forty'");
    assertThatThrownBy(() -> conf.getBoolean("maybe", false))
        .hasMessage("configuration entry 'maybe' is not a boolean: 'perhaps'");
    assertThatThrownBy(() -> conf.require("absent"))
        .hasMessage("missing configuration entry 'absent'");
  }

  @Test
  void configurationIsSortedImmutableAndWithAddsOrReplaces() {
    Configuration conf = Configuration.of(Map.of("b", "2", "a", "1"));
    assertThat(conf.asMap().keySet()).containsExactly("a", "b");
    assertThatThrownBy(() -> conf.asMap().put("c", "3"))
        .isInstanceOf(UnsupportedOperationException.class);
    Configuration more = conf.with(Map.of("b", "20", "c", "3"));
    assertThat(more.asMap()).containsExactlyEntriesOf(
        new java.util.TreeMap<>(Map.of("a", "1", "b", "20", "c", "3")));
    assertThat(conf.get("b")).isEqualTo("2");
  }

  @Test
  void jobBuilderNamesTheFirstMissingPart() {
    assertThatThrownBy(() -> Job.builder(" "))
        .hasMessage("a job needs a name");
    assertThatThrownBy(() -> Job.builder("j").input("in").output("out").build())
        .hasMessage("job 'j' has no mapper");
    assertThatThrownBy(() -> Job.builder("j").mapper(NoopMapper.class).output("out").build())
        .hasMessage("job 'j' has no input path");
    assertThatThrownBy(() -> Job.builder("j").mapper(NoopMapper.class).input("in").build())
        .hasMessage("job 'j' has no output path");
    assertThatThrownBy(() -> Job.builder("j").mapper(NoopMapper.class).input("in").output("o")
        .build())
        .hasMessageContaining("call mapOutput(key, value)");
    JobSpec spec = Job.builder("j").mapper(NoopMapper.class).input("in").output("o")
        .mapOutput(String.class, Long.class).set("k", 3).build().spec();
    assertThat(spec.outputKeyClass()).isEqualTo(String.class.getName());
    assertThat(spec.outputValueClass()).isEqualTo(Long.class.getName());
    assertThat(spec.reduceTasks()).isEqualTo(1);
    assertThat(spec.configuration().getInt("k", 0)).isEqualTo(3);
    assertThat(spec.withJar("/x.jar").jar()).isEqualTo("/x.jar");
  }

  @Test
  void withoutAnInstalledSubmitterSubmittingExplainsWhatToDo() {
    JobSubmitter previous = JobSubmitter.install(null);
    try {
      assertThatThrownBy(JobSubmitter::current)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("quern submit");
    } finally {
      JobSubmitter.install(previous);
    }
  }

  public static class NoopMapper implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long key, String value, Context<String, Long> context) {}
  }
}
