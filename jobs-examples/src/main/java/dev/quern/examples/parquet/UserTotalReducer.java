package dev.quern.examples.parquet;

import dev.quern.api.Context;
import dev.quern.api.Reducer;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;

/** Writes one {@link EventSchemas#USER_TOTAL} record per user: events counted, amounts summed. */
public class UserTotalReducer implements Reducer<String, Tally, String, GenericRecord> {
  @Override
  public void reduce(String user, Iterable<Tally> tallies, Context<String, GenericRecord> context) {
    Tally total = TallyCombiner.sum(tallies);
    context.emit(user, new GenericRecordBuilder(EventSchemas.USER_TOTAL)
        .set("user", user)
        .set("events", total.events())
        .set("amount", total.amount())
        .build());
  }
}
