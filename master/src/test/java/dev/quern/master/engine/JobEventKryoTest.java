package dev.quern.master.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import dev.quern.master.engine.JobEvent.AttemptStarted;
import dev.quern.master.engine.JobEvent.JobAccepted;
import dev.quern.master.engine.JobEvent.JobFailed;
import dev.quern.master.engine.JobEvent.JobKilled;
import dev.quern.worker.task.TaskAttemptId;
import dev.quern.worker.task.TaskKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * The Raft log will carry these events serialized with Kryo: each must survive a round trip, and
 * a book replayed from the decoded events must equal the original.
 *
 * <p>No production code serializes events yet ({@link JobJournal} keeps them in memory as the
 * local stand-in for the log), so this Kryo is the test's own. When the replicated log lands,
 * this test must round-trip through the codec it uses instead, so that a class it fails to
 * register fails here.
 */
class JobEventKryoTest {

  private static Kryo kryo() {
    Kryo k = new Kryo();
    k.setRegistrationRequired(false);
    k.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
    return k;
  }

  /** {@link JobBookTest#history()} plus a job that is killed and one that fails. */
  private static List<JobEvent> everyKindOfEvent() {
    List<JobEvent> events = new ArrayList<>(JobBookTest.history());
    TaskAttemptId killed = new TaskAttemptId("job-0002", TaskKind.MAP, 0, 1);
    events.add(new JobAccepted("job-0002", JobBookTest.spec(), JobBookTest.splits(), 2000));
    events.add(new AttemptStarted(killed, "w0", 2001));
    events.add(new JobKilled("job-0002", 2002));
    TaskAttemptId failed = new TaskAttemptId("job-0003", TaskKind.MAP, 1, 1);
    events.add(new JobAccepted("job-0003", JobBookTest.spec(), JobBookTest.splits(), 3000));
    events.add(new AttemptStarted(failed, "w1", 3001));
    events.add(new JobFailed("job-0003", "task m-00001 failed 4 time(s)", 3002));
    return events;
  }

  @Test
  void theEventsCoverEveryKindOfEvent() {
    Set<Class<?>> kinds = Arrays.stream(JobEvent.class.getPermittedSubclasses())
        .collect(Collectors.toSet());
    assertThat(everyKindOfEvent().stream().map(Object::getClass).collect(Collectors.toSet()))
        .as("a new kind of event needs a place in this test's history")
        .isEqualTo(kinds);
  }

  @Test
  void everyEventRoundTripsAndReplaysToTheSameBook() {
    Kryo kryo = kryo();
    JobBook original = new JobBook();
    JobBook decoded = new JobBook();
    for (JobEvent e : everyKindOfEvent()) {
      Output out = new Output(1024, -1);
      kryo.writeClassAndObject(out, e);
      JobEvent back = (JobEvent) kryo.readClassAndObject(new Input(out.toBytes()));
      assertThat(back).as("round trip of %s", e.getClass().getSimpleName())
          .usingRecursiveComparison().isEqualTo(e);
      original.apply(e);
      decoded.apply(back);
    }
    for (String job : List.of("job-0001", "job-0002", "job-0003")) {
      assertThat(JobViews.of(decoded.job(job), Map.of())).as(job)
          .isEqualTo(JobViews.of(original.job(job), Map.of()));
    }
  }
}
