package dev.quern.master.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * The Raft log will carry these events serialized with Kryo: each must survive a round trip, and
 * a book replayed from the decoded events must equal the original.
 */
class JobEventKryoTest {

  private static Kryo kryo() {
    Kryo k = new Kryo();
    k.setRegistrationRequired(false);
    k.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
    return k;
  }

  @Test
  void everyEventRoundTripsAndReplaysToTheSameBook() {
    Kryo kryo = kryo();
    List<JobEvent> history = JobBookTest.history();
    JobBook original = new JobBook();
    JobBook decoded = new JobBook();
    for (JobEvent e : history) {
      Output out = new Output(1024, -1);
      kryo.writeClassAndObject(out, e);
      JobEvent back = (JobEvent) kryo.readClassAndObject(new Input(out.toBytes()));
      assertThat(back).as("round trip of %s", e.getClass().getSimpleName())
          .usingRecursiveComparison().isEqualTo(e);
      original.apply(e);
      decoded.apply(back);
    }
    assertThat(JobViews.of(decoded.job("job-0001"), Map.of()))
        .isEqualTo(JobViews.of(original.job("job-0001"), Map.of()));
  }
}
