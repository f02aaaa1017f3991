package dev.quern.examples.parquet;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/** The Avro schemas of the Parquet aggregation: its input events and its per-user totals. */
public final class EventSchemas {
  private EventSchemas() {}

  /** One event: who, what kind, how much, when (epoch milliseconds). */
  public static final Schema EVENT = SchemaBuilder.record("Event")
      .namespace("dev.quern.examples.parquet").fields()
      .requiredString("user")
      .requiredString("type")
      .requiredDouble("amount")
      .requiredLong("time")
      .endRecord();

  /** One user's totals: how many events, and the sum of their amounts. */
  public static final Schema USER_TOTAL = SchemaBuilder.record("UserTotal")
      .namespace("dev.quern.examples.parquet").fields()
      .requiredString("user")
      .requiredLong("events")
      .requiredDouble("amount")
      .endRecord();
}
