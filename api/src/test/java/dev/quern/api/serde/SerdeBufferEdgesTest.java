package dev.quern.api.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The String and Long serdes write straight into the output's free space when it has room: their
 * bytes must not depend on where in the buffer they land or whether the buffer has to grow.
 */
@ExtendWith(Seeds.class)
class SerdeBufferEdgesTest {
  private static final ClassLoader LOADER = SerdeBufferEdgesTest.class.getClassLoader();

  @Test
  void stringBytesAreUtf8WhereverTheyLand(Seed seed) {
    SplittableRandom rnd = seed.random();
    Serde<String> serde = Serdes.of(String.class, LOADER);
    List<String> samples = List.of("", "a", "hello", "caf\u00e9", "\u00ff\u00fe", "x\u20acy",
        "emoji \ud83d\ude00", "\u007f\u0080", "longer ascii text that spills past a small buffer");
    for (int round = 0; round < 200; round++) {
      String s = samples.get(rnd.nextInt(samples.size()));
      Output out = new Output(1 + rnd.nextInt(16), -1);
      int skip = rnd.nextInt(20);
      for (int i = 0; i < skip; i++) {
        out.writeByte(7);
      }
      serde.write(s, out);
      byte[] want = s.getBytes(StandardCharsets.UTF_8);
      assertThat(out.position()).as("%s after %d bytes", s, skip)
          .isEqualTo(skip + want.length);
      byte[] got = java.util.Arrays.copyOfRange(out.getBuffer(), skip, skip + want.length);
      assertThat(got).as("%s after %d bytes", s, skip).isEqualTo(want);
      assertThat(serde.read(new Input(got))).isEqualTo(s);
    }
  }

  @Test
  void longBytesAreBigEndianWithTheSignFlippedWhereverTheyLand(Seed seed) {
    SplittableRandom rnd = seed.random();
    Serde<Long> serde = Serdes.of(Long.class, LOADER);
    for (int round = 0; round < 200; round++) {
      long v = rnd.nextBoolean() ? rnd.nextLong() : rnd.nextInt(5) - 2;
      Output out = new Output(1 + rnd.nextInt(16), -1);
      int skip = rnd.nextInt(12);
      for (int i = 0; i < skip; i++) {
        out.writeByte(7);
      }
      serde.write(v, out);
      assertThat(out.position()).isEqualTo(skip + 8);
      byte[] got = java.util.Arrays.copyOfRange(out.getBuffer(), skip, skip + 8);
      assertThat(got).as("%d after %d bytes", v, skip)
          .isEqualTo(ByteBuffer.allocate(8).putLong(v ^ Long.MIN_VALUE).array());
      assertThat(serde.read(new Input(got))).isEqualTo(v);
    }
  }
}
