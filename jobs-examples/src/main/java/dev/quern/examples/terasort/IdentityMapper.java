package dev.quern.examples.terasort;

import dev.quern.api.Context;
import dev.quern.api.Mapper;

/** Passes each record through: TeraSort's map side is only the partition and the sort. */
public class IdentityMapper implements Mapper<byte[], byte[], byte[], byte[]> {
  @Override
  public void map(byte[] key, byte[] value, Context<byte[], byte[]> context) {
    context.emit(key, value);
  }
}
