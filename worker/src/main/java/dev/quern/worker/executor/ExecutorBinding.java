package dev.quern.worker.executor;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Which job an executor JVM runs, and the class loader of the job's classes. An executor started
 * for a job knows it from its command line and finds the job's jar on its class path. A warm
 * spare (started before any job asked, with the worker's class path only, job {@link #SPARE})
 * learns it from the first frame on its channel, a {@link #BIND}: the job's id and its jar, which
 * it then reads through a class loader of its own whose parent is the class path's, as the worker
 * itself loads a job's classes when it runs them in-process. A JVM whose job ended cleanly
 * (a {@link ExecutorFrames#RELEASE}, {@link JobLeftovers}) waits for the bind of its next job as
 * a spare does; its earlier job's loader was closed, so the next job's classes are its own.
 *
 * @param jobId the job
 * @param loader the job's classes
 * @param env what the job's executor was given by the worker besides its command line: its
 *     environment, or for a spare the variables of the bind frame (the job's shuffle key)
 */
record ExecutorBinding(String jobId, ClassLoader loader, Map<String, String> env) {
  /** The job argument of a spare executor: it waits for a {@link #BIND} frame. */
  static final String SPARE = "+";
  /**
   * The frame that binds a spare: the job id, the job's jar ("" for none), then the count of
   * environment variables the worker would have given an executor of the job, and each's name and
   * value.
   */
  static final byte BIND = 0;

  /**
   * The executor's job: {@code jobArg} itself with the class path's loader, or, for a spare, the
   * job of the {@link #BIND} frame read from {@code in} (blocking until it comes).
   */
  static ExecutorBinding await(String jobArg, DataInputStream in, Map<String, String> environment)
      throws IOException {
    if (!jobArg.equals(SPARE)) {
      return new ExecutorBinding(jobArg, ClassLoader.getSystemClassLoader(), environment);
    }
    DataInputStream f = ExecutorFrames.read(in);
    if (f == null) {
      return null; // the worker closed the channel before binding this spare
    }
    byte type = f.readByte();
    if (type != BIND) {
      throw new IOException("a spare executor's first frame is of type " + type + ", not a bind");
    }
    String job = ExecutorFrames.readText(f);
    String jar = ExecutorFrames.readText(f);
    int count = f.readInt();
    if (count < 0 || count > 64) {
      throw new IOException("a bind frame of job " + job + " has " + count + " variables");
    }
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < count; i++) {
      env.put(ExecutorFrames.readText(f), ExecutorFrames.readText(f));
    }
    if (jar.isEmpty()) {
      return new ExecutorBinding(job, ClassLoader.getSystemClassLoader(), Map.copyOf(env));
    }
    Path path = Path.of(jar);
    if (!Files.isReadable(path)) {
      throw new IOException("job " + job + ": its jar " + jar + " is not readable");
    }
    URL url = path.toAbsolutePath().toUri().toURL();
    return new ExecutorBinding(job, new URLClassLoader("job:" + job, new URL[] {url},
        ClassLoader.getSystemClassLoader()), Map.copyOf(env));
  }

  /**
   * The frame that binds a spare to {@code jobId}, whose jar is {@code jar} (null: none), with the
   * variables {@code env}.
   */
  static ExecutorFrames.Body frame(String jobId, Path jar, Map<String, String> env)
      throws IOException {
    ExecutorFrames.Body b = new ExecutorFrames.Body(BIND);
    ExecutorFrames.writeText(b, jobId);
    ExecutorFrames.writeText(b, jar == null ? "" : jar.toAbsolutePath().toString());
    b.writeInt(env.size());
    for (Map.Entry<String, String> e : env.entrySet()) {
      ExecutorFrames.writeText(b, e.getKey());
      ExecutorFrames.writeText(b, e.getValue());
    }
    return b;
  }
}
