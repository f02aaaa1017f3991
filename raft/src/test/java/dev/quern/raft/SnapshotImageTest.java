package dev.quern.raft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link StateMachine#snapshotImage()}: taken at one point, written later (after more entries were
 * applied), it writes exactly what {@link StateMachine#snapshot()} returned at that point.
 */
@ExtendWith(Seeds.class)
class SnapshotImageTest {

  private static byte[] written(SnapshotImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    image.writeTo(out);
    return out.toByteArray();
  }

  private static byte[] command(SplittableRandom rnd, long time) {
    long client = 1 + rnd.nextInt(20);
    // Sequence numbers of a few clients in a window of 4, some repeated, some out of order.
    long seq = 1 + rnd.nextInt(8);
    return new ClientCommand(client, seq, KvStateMachine.append("k" + rnd.nextInt(5), "v" + rnd.nextInt(100)))
        .at(time).encode();
  }

  @Test
  void theDedupImageIsFrozenWhenTakenAndEqualsTheSnapshotThen(Seed seed) throws IOException {
    SplittableRandom rnd = seed.random();
    DedupStateMachine sm = new DedupStateMachine(new KvStateMachine(), 4, 60_000);
    long time = 0;
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 50; i++) {
        time += rnd.nextInt(5_000);
        sm.apply(command(rnd, time));
      }
      byte[] now = sm.snapshot();
      SnapshotImage image = sm.snapshotImage();
      for (int i = 0; i < 50; i++) { // sessions change, results are dropped and added, sessions expire
        time += rnd.nextInt(5_000);
        sm.apply(command(rnd, time));
      }
      assertThat(written(image)).isEqualTo(now);
      DedupStateMachine copy = new DedupStateMachine(new KvStateMachine(), 4, 60_000);
      copy.restore(written(image));
      assertThat(copy.snapshot()).isEqualTo(now);
    }
  }

  @Test
  void theDefaultImageIsTheSnapshotAtTheCall() throws IOException {
    KvStateMachine sm = new KvStateMachine();
    sm.apply(KvStateMachine.append("a", "1"));
    byte[] now = sm.snapshot();
    SnapshotImage image = sm.snapshotImage();
    sm.apply(KvStateMachine.append("a", "2"));
    assertThat(written(image)).isEqualTo(now);
  }
}
