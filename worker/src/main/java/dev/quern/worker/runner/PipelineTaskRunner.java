package dev.quern.worker.runner;

import dev.quern.worker.map.MapOutputHandoff;
import dev.quern.worker.map.MapTask;
import dev.quern.worker.reduce.ReduceTask;
import dev.quern.worker.shuffle.InPlaceSource;
import dev.quern.worker.shuffle.LocalShuffleSource;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.task.MapOutputFeed;
import dev.quern.worker.task.MapOutputRef;
import dev.quern.worker.task.MapTaskSpec;
import dev.quern.worker.task.ReduceTaskSpec;
import dev.quern.worker.task.ShuffleSource;
import dev.quern.worker.task.TaskProgress;
import dev.quern.worker.task.TaskResult;
import dev.quern.worker.task.TaskRunner;
import dev.quern.worker.task.TaskSpec;
import java.lang.ref.WeakReference;

/**
 * The task runner of the data path: a map attempt reads its split, maps, sorts, combines and
 * spills into one indexed data file (or, in a map-only job, writes part-m files); a reduce
 * attempt fetches its partition of every map output, merges, groups and reduces.
 */
public final class PipelineTaskRunner implements TaskRunner {
  private final String host;
  private final ShuffleSource shuffle;
  /** See {@link #constructorsOf}. */
  private volatile WeakReference<UserClasses.Constructors> lastConstructors =
      new WeakReference<>(null);

  /** Reads map outputs from local files and reports map outputs as living on "localhost". */
  public PipelineTaskRunner() {
    this("localhost", new LocalShuffleSource());
  }

  /**
   * @param host the host name that map outputs report (where reduces fetch them from)
   * @param shuffle how reduces read map outputs
   */
  public PipelineTaskRunner(String host, ShuffleSource shuffle) {
    this.host = host;
    this.shuffle = shuffle;
  }

  @Override
  public TaskResult run(TaskSpec spec, ClassLoader jobLoader, TaskProgress progress)
      throws Exception {
    return run(spec, jobLoader, progress, null);
  }

  @Override
  public TaskResult run(TaskSpec spec, ClassLoader jobLoader, TaskProgress progress,
      MapOutputFeed feed) throws Exception {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(jobLoader);
    try {
      UserClasses classes = new UserClasses(spec.job(), constructorsOf(jobLoader),
          spec.job().configuration());
      ProgressTracker tracker = new ProgressTracker(progress);
      if (spec instanceof MapTaskSpec m) {
        // A reduce of this process reading the map's output in place keeps its index from here.
        return MapTask.run(m, classes, tracker, host,
            shuffle instanceof InPlaceSource s ? handoff(s) : null);
      }
      return ReduceTask.run((ReduceTaskSpec) spec, classes, tracker, shuffle, feed);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /**
   * The constructors of the loader's classes, shared by its tasks: those of the last loader a task
   * ran with, held weakly (a runner that outlives its jobs must not keep a finished job's loader).
   */
  private UserClasses.Constructors constructorsOf(ClassLoader jobLoader) {
    UserClasses.Constructors c = lastConstructors.get();
    if (c == null || c.loader() != jobLoader) {
      c = new UserClasses.Constructors(jobLoader);
      lastConstructors = new WeakReference<>(c);
    }
    return c;
  }

  private static MapOutputHandoff handoff(InPlaceSource source) {
    return new MapOutputHandoff() {
      @Override
      public int holdUpTo() {
        return source.holdUpTo();
      }

      @Override
      public boolean keepUnwritten(MapOutputRef ref, PartitionIndex index, byte[] data) {
        return source.keepUnwritten(ref, index, data);
      }

      @Override
      public void written(MapOutputRef ref, PartitionIndex index) {
        source.offer(ref, index);
      }
    };
  }
}
