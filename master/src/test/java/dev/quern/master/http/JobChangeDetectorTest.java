package dev.quern.master.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quern.api.JobState;
import dev.quern.master.engine.AttemptState;
import dev.quern.master.engine.AttemptView;
import dev.quern.master.engine.ClusterEvent;
import dev.quern.master.engine.JobView;

import dev.quern.master.engine.TaskState;
import dev.quern.master.engine.TaskView;
import dev.quern.master.http.json.StateEvent;
import dev.quern.worker.task.TaskKind;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The detector tells exactly the job, task and attempt state changes between snapshots: checked
 * against a plain model (the last state told per job, per task name and per attempt id) over
 * random runs of two interleaved jobs whose tasks start, fail, retry and finish.
 */
@ExtendWith(Seeds.class)
class JobChangeDetectorTest {

  /** One task's state in the simulation: its state and its attempts' states, by id. */
  private static final class Sim {
    final String name;
    final TaskKind kind;
    final int index;
    TaskState state = TaskState.PENDING;
    final List<String> ids = new ArrayList<>();
    final List<AttemptState> attempts = new ArrayList<>();

    Sim(TaskKind kind, int index) {
      this.kind = kind;
      this.index = index;
      this.name = (kind == TaskKind.MAP ? "m-" : "r-") + index;
    }

    TaskView view(String job) {
      List<AttemptView> as = new ArrayList<>();
      for (int k = 0; k < ids.size(); k++) {
        as.add(new AttemptView(ids.get(k), k + 1, "w", 10 + k, attempts.get(k)
            == AttemptState.RUNNING ? -1 : 20 + k, attempts.get(k), 0, 0, 0, 0, 0, null, null,
            Map.of()));
      }
      return new TaskView(name, kind, index, state, 0, "in", null, null, as);
    }
  }

  private static JobView view(String id, JobState state, double progress, List<Sim> maps,
      List<Sim> reduces) {
    return new JobView(id, "j", "u", state, 1, 1, -1, progress, 0, Map.of(), null, "/out",
        maps.stream().map(s -> s.view(id)).toList(), reduces.stream().map(s -> s.view(id)).toList(),
        null);
  }

  /** The model: what a detector must tell for a snapshot, given all it told before. */
  private static final class Model {
    final Map<String, String> jobs = new HashMap<>();
    final Map<String, String> tasks = new HashMap<>();
    final Map<String, String> attempts = new HashMap<>();
    final Map<String, Double> progress = new HashMap<>();

    List<String> tell(JobView j) {
      List<String> out = new ArrayList<>();
      String was = jobs.put(j.id(), j.state().name());
      if (j.state().isFinal() && j.state().name().equals(was)) {
        return out;
      }
      boolean changed = !j.state().name().equals(was);
      if (changed && !j.state().isFinal()) {
        out.add("job " + j.id() + " " + j.state());
      }
      List<TaskView> all = new ArrayList<>(j.maps());
      all.addAll(j.reduces());
      for (TaskView t : all) {
        if (!t.state().name().equals(tasks.put(j.id() + "/" + t.name(), t.state().name()))) {
          out.add("task " + j.id() + " " + t.name() + " " + t.state());
        }
        for (AttemptView a : t.attempts()) {
          if (!a.state().name().equals(attempts.put(a.id(), a.state().name()))) {
            out.add("attempt " + j.id() + " " + t.name() + " " + a.id() + " " + a.state());
          }
        }
      }
      double p = j.mapProgress() + j.reduceProgress();
      Double told = progress.get(j.id());
      if (!j.state().isFinal()
          && (told == null || p - told >= JobChangeDetector.PROGRESS_STEP)) {
        progress.put(j.id(), p);
        if (told != null) {
          out.add("progress " + j.id() + " " + j.state());
        }
      }
      if (changed && j.state().isFinal()) {
        out.add("job " + j.id() + " " + j.state());
      }
      return out;
    }
  }

  private static String text(StateEvent e) {
    return switch (e.type()) {
      case "job" -> "job " + e.jobId() + " " + e.state();
      case "task" -> "task " + e.jobId() + " " + e.task() + " " + e.state();
      case "attempt" -> "attempt " + e.jobId() + " " + e.task() + " " + e.attempt() + " "
          + e.state();
      default -> e.type() + " " + e.jobId() + " " + e.state();
    };
  }

  @Test
  void tellsExactlyTheChangesOfEachSnapshot(Seed seed) {
    SplittableRandom rnd = seed.random();
    List<StateEvent> got = new ArrayList<>();
    JobChangeDetector detector = new JobChangeDetector(got::add);
    Model model = new Model();
    String[] ids = {"job-0001", "job-0002"};
    Map<String, List<Sim>> maps = new HashMap<>();
    Map<String, List<Sim>> reduces = new HashMap<>();
    Map<String, Double> progress = new HashMap<>();
    Map<String, JobState> states = new HashMap<>();
    for (String id : ids) {
      List<Sim> m = new ArrayList<>();
      List<Sim> r = new ArrayList<>();
      for (int i = 0; i < 20 + rnd.nextInt(20); i++) {
        m.add(new Sim(TaskKind.MAP, i));
      }
      for (int i = 0; i < 1 + rnd.nextInt(8); i++) {
        r.add(new Sim(TaskKind.REDUCE, i));
      }
      maps.put(id, m);
      reduces.put(id, r);
      progress.put(id, 0.0);
      states.put(id, JobState.ACCEPTED);
    }
    int told = 0;
    for (int step = 0; step < 400; step++) {
      String id = ids[rnd.nextInt(ids.length)];
      if (states.get(id).isFinal() && rnd.nextInt(10) > 0) {
        continue;
      }
      if (!states.get(id).isFinal()) {
        List<Sim> all = new ArrayList<>(maps.get(id));
        all.addAll(reduces.get(id));
        for (int c = rnd.nextInt(6); c > 0; c--) {
          Sim s = all.get(rnd.nextInt(all.size()));
          int last = s.attempts.size() - 1;
          if (s.state == TaskState.DONE) {
            continue;
          }
          if (last < 0 || s.attempts.get(last) != AttemptState.RUNNING) {
            s.ids.add(id + "/" + s.name + "/" + (last + 2));
            s.attempts.add(AttemptState.RUNNING);
            s.state = TaskState.RUNNING;
          } else if (rnd.nextInt(4) == 0) {
            s.attempts.set(last, AttemptState.FAILED);
            s.state = TaskState.PENDING;
          } else {
            s.attempts.set(last, AttemptState.SUCCEEDED);
            s.state = TaskState.DONE;
          }
          states.put(id, JobState.RUNNING);
        }
        progress.put(id, progress.get(id) + rnd.nextDouble() * 0.04);
        if (step > 300 && rnd.nextInt(8) == 0) {
          states.put(id, rnd.nextBoolean() ? JobState.SUCCEEDED : JobState.FAILED);
        }
      }
      JobView v = view(id, states.get(id), progress.get(id), maps.get(id), reduces.get(id));
      List<String> expected = model.tell(v);
      got.clear();
      detector.onEvent(new ClusterEvent.JobUpdated(v));
      assertThat(got.stream().map(JobChangeDetectorTest::text).toList())
          .as("step %d, job %s", step, id).isEqualTo(expected);
      told += expected.size();
    }
    assertThat(told).as("events told in all").isGreaterThan(100);
  }
}
