package dev.quern.worker.executor;

import java.net.URLClassLoader;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;

/**
 * What an executor JVM looked like when it was bound to a job, to tell at the job's end whether
 * the job left something behind that the next job would see, in which case the JVM serves no
 * other job ({@link ExecutorPool}'s reuse). The job's own classes (and their static fields) live
 * in its class loader, which the executor drops; what this checks is what outlives that loader:
 *
 * <ul>
 *   <li>a thread started while the job ran that is still alive and either not a daemon (the job
 *       meant it to run on) or runs the job's code (a frame of a class of the job's jar, or a
 *       {@code Thread} subclass of the job's): daemon threads of the JDK's or the framework's own
 *       (an idle HTTP client pool) pass;
 *   <li>a system property set, changed or removed;
 *   <li>the default locale or time zone changed.
 * </ul>
 *
 * Not checked (JVM-wide settings a task could change and no check here sees): security
 * providers, {@code URL} stream handler factories, JNI libraries loaded, {@code
 * System.setOut}, the default charset of classes that cached it.
 */
final class JobLeftovers {
  private final Set<Thread> threads;
  private final Map<String, String> properties;
  private final Locale locale;
  private final TimeZone zone;

  private JobLeftovers(Set<Thread> threads, Map<String, String> properties, Locale locale,
      TimeZone zone) {
    this.threads = threads;
    this.properties = properties;
    this.locale = locale;
    this.zone = zone;
  }

  /** This JVM now, before the job runs anything. */
  static JobLeftovers snapshot() {
    return new JobLeftovers(Set.copyOf(Thread.getAllStackTraces().keySet()), properties(),
        Locale.getDefault(), TimeZone.getDefault());
  }

  private static Map<String, String> properties() {
    Map<String, String> m = new HashMap<>();
    java.util.Properties p = System.getProperties();
    for (String k : p.stringPropertyNames()) {
      m.put(k, p.getProperty(k));
    }
    return m;
  }

  /**
   * What the job of {@code loader} left in this JVM since the snapshot, in words for the logs,
   * or null if nothing this checks. Its attempt threads must have ended.
   */
  String check(ClassLoader loader) {
    URLClassLoader jobJar = loader instanceof URLClassLoader u
        && loader != ClassLoader.getSystemClassLoader() ? u : null;
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      Thread t = e.getKey();
      if (threads.contains(t) || t == Thread.currentThread() || !t.isAlive()) {
        continue;
      }
      if (!t.isDaemon()) {
        return "the job left the non-daemon thread '" + t.getName() + "' running";
      }
      if (jobJar != null && (t.getClass().getClassLoader() == loader
          || runsJobCode(e.getValue(), jobJar))) {
        return "the job left the daemon thread '" + t.getName() + "' running its code";
      }
    }
    Map<String, String> now = properties();
    if (!now.equals(properties)) {
      for (Map.Entry<String, String> e : now.entrySet()) {
        if (!e.getValue().equals(properties.get(e.getKey()))) {
          return "the job set the system property " + e.getKey();
        }
      }
      for (String k : properties.keySet()) {
        if (!now.containsKey(k)) {
          return "the job removed the system property " + k;
        }
      }
    }
    if (!Locale.getDefault().equals(locale)) {
      return "the job changed the default locale to " + Locale.getDefault();
    }
    if (!TimeZone.getDefault().equals(zone)) {
      return "the job changed the default time zone to " + TimeZone.getDefault().getID();
    }
    return null;
  }

  /** Whether a frame is of a class in the job's jar (its loader's own URLs, not its parent's). */
  private static boolean runsJobCode(StackTraceElement[] stack, URLClassLoader jobJar) {
    for (StackTraceElement f : stack) {
      String name = f.getClassName();
      int nested = name.indexOf('$');
      String outer = nested < 0 ? name : name.substring(0, nested);
      if (jobJar.findResource(outer.replace('.', '/') + ".class") != null) {
        return true;
      }
    }
    return false;
  }
}
