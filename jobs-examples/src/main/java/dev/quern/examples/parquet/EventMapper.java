package dev.quern.examples.parquet;

import dev.quern.api.Context;
import dev.quern.api.Mapper;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns an event record into {@code (user, Tally(1, amount))}: the job's own types, since a
 * {@link GenericRecord} does not travel through the shuffle. Reads only the columns the job
 * projects ({@code user, amount}).
 */
public class EventMapper implements Mapper<Long, GenericRecord, String, Tally> {
  @Override
  public void map(Long row, GenericRecord event, Context<String, Tally> context) {
    context.emit(event.get("user").toString(),
        new Tally(1, ((Number) event.get("amount")).doubleValue()));
  }
}
