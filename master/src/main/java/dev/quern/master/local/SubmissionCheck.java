package dev.quern.master.local;

import dev.quern.api.Configurable;
import dev.quern.api.Configuration;
import dev.quern.api.JobSpec;
import dev.quern.api.JobSubmissionException;
import dev.quern.api.Mapper;
import dev.quern.api.Partitioner;
import dev.quern.api.Reducer;
import dev.quern.api.Sizes;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.io.FileSplit;
import dev.quern.api.io.InputFormat;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.OutputFormat;
import dev.quern.api.io.TextInputFormat;
import dev.quern.master.engine.EngineKeys;
import dev.quern.master.engine.JobPolicy;
import dev.quern.worker.runner.DataPathConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;

/**
 * Everything checked before a job is accepted, in the order a user would fix it: the jar, the
 * classes the spec names, the engine's configuration entries, the input (splits planned), the
 * output. Each failure is one line naming what and where; nothing is changed.
 */
final class SubmissionCheck {
  private SubmissionCheck() {}

  /** Checks the spec with the job's loader and returns its planned splits. */
  static List<InputSplit> check(JobSpec spec, ClassLoader loader) {
    Configuration conf = spec.configuration();
    checkJar(spec);
    String where = spec.jar() == null ? "the classpath" : "job jar " + spec.jar();
    Class<?> inputFormat = load(loader, where, "input format", spec.inputFormat(),
        InputFormat.class, true);
    Class<?> outputFormat = load(loader, where, "output format", spec.outputFormat(),
        OutputFormat.class, true);
    load(loader, where, "mapper", spec.mapper(), Mapper.class, true);
    load(loader, where, "combiner", spec.combiner(), Reducer.class, true);
    load(loader, where, "reducer", spec.reducer(), Reducer.class, true);
    load(loader, where, "partitioner", spec.partitioner(), Partitioner.class, true);
    load(loader, where, "sort comparator", spec.sortComparator(), Comparator.class, true);
    load(loader, where, "grouping comparator", spec.groupingComparator(), Comparator.class, true);
    load(loader, where, "map output key", spec.mapOutputKeyClass(), Object.class, false);
    load(loader, where, "map output value", spec.mapOutputValueClass(), Object.class, false);
    load(loader, where, "output key", spec.outputKeyClass(), Object.class, false);
    load(loader, where, "output value", spec.outputValueClass(), Object.class, false);
    checkEngineConfig(conf);
    List<InputSplit> splits = planSplits(spec, conf, inputFormat);
    checkOutput(spec, conf, outputFormat);
    return splits;
  }

  private static void checkJar(JobSpec spec) {
    if (spec.jar() == null) {
      return;
    }
    Path jar = Path.of(spec.jar());
    if (!Files.exists(jar)) {
      throw new JobSubmissionException("job jar " + spec.jar() + " does not exist");
    }
    if (!Files.isRegularFile(jar)) {
      throw new JobSubmissionException("job jar " + spec.jar() + " is not a jar file");
    }
    try (JarFile j = new JarFile(jar.toFile())) {
      j.size();
    } catch (IOException e) {
      throw new JobSubmissionException("job jar " + spec.jar() + " is not a jar file ("
          + e.getMessage() + ")");
    }
  }

  private static Class<?> load(ClassLoader loader, String where, String role, String name,
      Class<?> expected, boolean instantiable) {
    if (name == null) {
      return null;
    }
    Class<?> c;
    try {
      c = Class.forName(name, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new JobSubmissionException(role + " class " + name + " not found in " + where
          + (e instanceof LinkageError ? " (" + e + ")" : ""));
    }
    if (!expected.isAssignableFrom(c)) {
      throw new JobSubmissionException(role + " class " + name + " is not a "
          + expected.getName());
    }
    if (instantiable) {
      try {
        if (java.lang.reflect.Modifier.isAbstract(c.getModifiers())) {
          throw new JobSubmissionException(role + " class " + name + " is abstract");
        }
        c.getConstructor();
      } catch (NoSuchMethodException e) {
        throw new JobSubmissionException(role + " class " + name
            + " has no public no-argument constructor");
      }
    }
    return c;
  }

  private static void checkEngineConfig(Configuration conf) {
    try {
      int max = conf.getInt(EngineKeys.MAX_ATTEMPTS, EngineKeys.DEFAULT_MAX_ATTEMPTS);
      if (max < 1) {
        throw new IllegalArgumentException("configuration entry '" + EngineKeys.MAX_ATTEMPTS
            + "' must be at least 1, got " + max);
      }
      JobPolicy.check(conf); // speculation, exclusion, locality and slow-start entries
      conf.getLong(EngineKeys.TASK_TIMEOUT, EngineKeys.DEFAULT_TASK_TIMEOUT);
      long split = Sizes.get(conf, FileInputFormat.SPLIT_SIZE, FileInputFormat.DEFAULT_SPLIT_SIZE);
      if (split <= 0) {
        throw new IllegalArgumentException("configuration entry '" + FileInputFormat.SPLIT_SIZE
            + "' must be positive, got " + split);
      }
      // The data path reads its entries in every attempt; a bad one would fail them all.
      DataPathConfig.validate(conf);
      TextInputFormat.charset(conf);
    } catch (IllegalArgumentException e) {
      throw new JobSubmissionException(e.getMessage());
    }
  }

  private static List<InputSplit> planSplits(JobSpec spec, Configuration conf, Class<?> format) {
    InputFormat<?, ?> input = (InputFormat<?, ?>) instantiate(format, conf, "input format");
    List<InputSplit> splits;
    try {
      splits = List.copyOf(input.splits(spec.inputPaths(), conf));
    } catch (IOException | RuntimeException e) {
      throw new JobSubmissionException(e.getMessage() == null ? e.toString() : e.getMessage());
    }
    Set<String> probed = new HashSet<>();
    for (InputSplit s : splits) {
      // Files on other filesystems were listed through it; there is no local file to probe.
      if (s instanceof FileSplit fs && FileSystems.isLocal(fs.path()) && probed.add(fs.path())) {
        probe(Path.of(fs.path()));
      }
    }
    return splits;
  }

  /**
   * Opens a file and reads a byte: catches what permission bits cannot show (root reads any
   * mode; a socket or device has no bytes to read).
   */
  private static void probe(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new JobSubmissionException("input file " + file
          + " is not readable: not a regular file");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.read(ByteBuffer.allocate(1));
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      throw new JobSubmissionException("input file " + file + " is not readable: " + why);
    }
  }

  private static void checkOutput(JobSpec spec, Configuration conf, Class<?> format) {
    OutputFormat<?, ?> output = (OutputFormat<?, ?>) instantiate(format, conf, "output format");
    try {
      output.checkOutput(spec.outputPath(), conf);
      output.committer(conf); // a bad quern.output.committer refuses the job here
    } catch (IOException | RuntimeException e) {
      throw new JobSubmissionException(e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private static Object instantiate(Class<?> c, Configuration conf, String role) {
    try {
      Object o = c.getConstructor().newInstance();
      if (o instanceof Configurable cfg) {
        cfg.configure(conf);
      }
      return o;
    } catch (ReflectiveOperationException | RuntimeException e) {
      Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite
          ? ite.getCause() : e;
      throw new JobSubmissionException("cannot create " + role + " " + c.getName() + ": "
          + cause);
    }
  }
}
