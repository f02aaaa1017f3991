package dev.quern.worker.executor;

import dev.quern.api.Context;
import dev.quern.api.Mapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Mappers that take their JVM down, each in its own way. */
public final class FaultyMappers {
  private FaultyMappers() {}

  /** Calls {@code System.exit(3)} at its first record. */
  public static final class Exit implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      System.exit(3);
    }
  }

  /** Allocates without bound at its first record. */
  public static final class Hog implements Mapper<Long, String, String, Long> {
    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) {
      List<long[]> hog = new ArrayList<>();
      while (true) {
        hog.add(new long[1 << 17]);
      }
    }
  }

  /**
   * Writes the marker file {@code test.marker} names, then spins forever, deaf to interrupts.
   */
  public static final class Spin implements Mapper<Long, String, String, Long> {
    private static volatile long spins;

    @Override
    public void map(Long offset, String line, Context<String, Long> ctx) throws Exception {
      String marker = ctx.configuration().get("test.marker");
      if (marker != null) {
        Files.writeString(Path.of(marker), Long.toString(ProcessHandle.current().pid()));
      }
      while (true) {
        spins++;
      }
    }
  }
}
