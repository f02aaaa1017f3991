package dev.quern.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.Configuration;
import dev.quern.api.Context;
import dev.quern.api.Counter;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.StringTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The mapper's tokens are exactly {@link StringTokenizer}'s, on seeded random lines. */
@ExtendWith(Seeds.class)
class TokenizerMapperTest {

  @Test
  void tokensEqualStringTokenizers(Seed seed) {
    SplittableRandom rnd = seed.random();
    // Delimiters, whitespace that is not one (vertical tab, no-break space), surrogates, letters.
    char[] pool = {' ', '\t', '\n', '\r', '\f', '\u000b', '\u00a0', '\u001f', '!', 'a', 'b', 'Z',
        '\u00e9', '\u4e2d', '\uD83D', '\uDE00', '\u0000'};
    List<String> emitted = new ArrayList<>();
    Context<String, Long> ctx = new Context<>() {
      @Override
      public void emit(String key, Long value) {
        assertThat(value).isEqualTo(1L);
        emitted.add(key);
      }

      @Override
      public Configuration configuration() {
        return Configuration.empty();
      }

      @Override
      public Counter counter(String group, String name) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void progress() {}

      @Override
      public String attemptId() {
        return "test";
      }

      @Override
      public int taskIndex() {
        return 0;
      }

      @Override
      public int reduceTasks() {
        return 1;
      }
    };
    TokenizerMapper mapper = new TokenizerMapper();
    for (int i = 0; i < 50_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = rnd.nextInt(12);
      for (int j = 0; j < n; j++) {
        sb.append(pool[rnd.nextInt(pool.length)]);
      }
      String line = sb.toString();
      emitted.clear();
      mapper.map((long) i, line, ctx);
      List<String> want = new ArrayList<>();
      StringTokenizer t = new StringTokenizer(line);
      while (t.hasMoreTokens()) {
        want.add(t.nextToken());
      }
      assertThat(emitted).as("line %s", line).isEqualTo(want);
    }
  }
}
