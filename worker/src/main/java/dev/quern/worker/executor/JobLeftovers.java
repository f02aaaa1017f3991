package dev.quern.worker.executor;

import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
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
 *   <li>the default locale or time zone changed;
 *   <li>{@code System.out} or {@code System.err} replaced, the default uncaught exception
 *       handler set, a security provider added or removed.
 * </ul>
 *
 * Not checked (JVM-wide state a task could change that no check here sees): {@code URL} stream
 * handler factories, JNI libraries loaded, JDK caches holding the job's classes (which then keep
 * its loader from being collected), changes inside framework or JDK objects.
 */
final class JobLeftovers {
  private final Set<Thread> threads;
  private final Map<String, String> properties;
  private final Locale locale;
  private final TimeZone zone;
  /** System.out, System.err, the default uncaught exception handler, the security providers. */
  private final List<Object> hooks;

  private JobLeftovers(Set<Thread> threads, Map<String, String> properties, Locale locale,
      TimeZone zone, List<Object> hooks) {
    this.threads = threads;
    this.properties = properties;
    this.locale = locale;
    this.zone = zone;
    this.hooks = hooks;
  }

  /** This JVM now, before the job runs anything. */
  static JobLeftovers snapshot() {
    return new JobLeftovers(Set.copyOf(Thread.getAllStackTraces().keySet()), properties(),
        Locale.getDefault(), TimeZone.getDefault(), hooks());
  }

  private static final List<String> HOOKS = List.of("System.out", "System.err",
      "the default uncaught exception handler", "the security providers");

  private static List<Object> hooks() {
    List<Object> h = new ArrayList<>();
    h.add(System.out);
    h.add(System.err);
    h.add(Thread.getDefaultUncaughtExceptionHandler());
    h.add(Arrays.asList(java.security.Security.getProviders()));
    return h;
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
    List<Object> now2 = hooks();
    for (int i = 0; i < HOOKS.size(); i++) {
      Object a = hooks.get(i);
      Object b = now2.get(i);
      boolean same = a instanceof List<?> l ? l.equals(b) : a == b;
      if (!same) {
        return "the job replaced " + HOOKS.get(i);
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
