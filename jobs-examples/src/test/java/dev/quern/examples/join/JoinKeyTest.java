package dev.quern.examples.join;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.quern.api.serde.Serde;
import dev.quern.api.serde.Serdes;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The join key's bytes, as the engine's serde writes them, and the raw comparators on them. */
@ExtendWith(Seeds.class)
class JoinKeyTest {
  private final Serde<JoinKey> serde = Serdes.of(JoinKey.class, getClass().getClassLoader());

  private byte[] bytes(JoinKey k) {
    Output out = new Output(64, -1);
    serde.write(k, out);
    return out.toBytes();
  }

  @Test
  void serializesAsIdZeroTag() {
    assertThat(bytes(new JoinKey("c7", JoinKey.ORDER))).containsExactly(0x63, 0x37, 0, 1);
    byte[] b = bytes(new JoinKey("客7", JoinKey.CUSTOMER));
    assertThat(serde.read(new Input(b))).isEqualTo(new JoinKey("客7", JoinKey.CUSTOMER));
  }

  @Test
  void rawComparatorsAgreeWithTheObjectOrder(Seed seed) {
    SplittableRandom rnd = seed.random();
    String[] ids = {"", "c", "c1", "c10", "c2", "ć", "客", "\uD83D\uDE00", "\uFFFD", "Z"};
    JoinKeyOrder order = new JoinKeyOrder();
    CustomerGrouping grouping = new CustomerGrouping();
    for (int i = 0; i < 2_000; i++) {
      JoinKey a = new JoinKey(ids[rnd.nextInt(ids.length)] + rnd.nextInt(3), rnd.nextInt(2));
      JoinKey b = new JoinKey(ids[rnd.nextInt(ids.length)] + rnd.nextInt(3), rnd.nextInt(2));
      byte[] x = bytes(a);
      byte[] y = bytes(b);
      assertThat(Integer.signum(order.compare(x, 0, x.length, y, 0, y.length)))
          .as("%s vs %s", a, b).isEqualTo(Integer.signum(order.compare(a, b)));
      assertThat(Integer.signum(grouping.compare(x, 0, x.length, y, 0, y.length)))
          .as("%s vs %s", a, b).isEqualTo(Integer.signum(grouping.compare(a, b)));
    }
    assertThat(order.compare(new JoinKey("c1", JoinKey.CUSTOMER), new JoinKey("c1",
        JoinKey.ORDER))).isNegative();
  }
}
