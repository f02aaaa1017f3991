package dev.quern.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The directory of a cluster that {@code quern cluster start} runs on this machine: {@code
 * processes} (one line per process, tab-separated: kind, id, pid, start time, address, HTTP
 * address, log), {@code address} (the {@code quern://} address), {@code logs/}, and one data
 * directory per process.
 */
final class ClusterDir {
  static final String PROCESSES = "processes";
  static final String ADDRESS = "address";
  private static final String HEADER = "# kind\tid\tpid\tstarted\taddress\thttp\tlog";

  /**
   * One process.
   *
   * @param started its start time as the OS reported it when it was launched, to tell it from a
   *     later process that got the same pid
   * @param address its Artery address ("" until known)
   * @param http a master's HTTP address ("" for a worker)
   */
  record Proc(String kind, String id, long pid, String started, String address, String http,
      Path log) {

    Proc withAddress(String a) {
      return new Proc(kind, id, pid, started, a, http, log);
    }

    /** The live process this entry names, if it still runs (and is the same process). */
    Optional<ProcessHandle> handle() {
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(h -> started.isEmpty() || started.equals(startedOf(h)));
    }

    boolean alive() {
      return handle().isPresent();
    }
  }

  final Path dir;

  ClusterDir(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  static Path defaultDir() {
    return Path.of(System.getProperty("user.home"), ".quern", "cluster");
  }

  static String startedOf(ProcessHandle h) {
    return h.info().startInstant().map(Object::toString).orElse("");
  }

  Path processesFile() {
    return dir.resolve(PROCESSES);
  }

  Path logs() {
    return dir.resolve("logs");
  }

  boolean exists() {
    return Files.isRegularFile(processesFile());
  }

  List<Proc> read() {
    List<Proc> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(processesFile())) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        if (f.length != 7) {
          throw new CliException(processesFile() + ": damaged line '" + line + "'");
        }
        out.add(new Proc(f[0], f[1], Long.parseLong(f[2]), f[3], f[4], f[5], Path.of(f[6])));
      }
    } catch (IOException e) {
      throw new CliException("cannot read " + processesFile() + ": " + e.getMessage(), e);
    } catch (NumberFormatException e) {
      throw new CliException(processesFile() + ": damaged pid: " + e.getMessage(), e);
    }
    return out;
  }

  /** Replaces the file whole (a reader never sees half of it). */
  void write(List<Proc> procs) {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (Proc p : procs) {
      sb.append(String.join("\t", p.kind(), p.id(), Long.toString(p.pid()), p.started(),
          p.address(), p.http(), p.log().toString())).append('\n');
    }
    writeAtomically(processesFile(), sb.toString());
  }

  Optional<String> address() {
    try {
      Path f = dir.resolve(ADDRESS);
      return Files.isRegularFile(f) ? Optional.of(Files.readString(f).trim()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  void writeAddress(String address) {
    writeAtomically(dir.resolve(ADDRESS), address + "\n");
  }

  private static void writeAtomically(Path file, String text) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
