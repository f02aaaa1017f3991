package dev.quern.worker.runner;

import dev.quern.api.JobSpec;
import dev.quern.api.serde.Serde;
import dev.quern.api.serde.Serdes;
import dev.quern.worker.reduce.KeyGrouping;
import dev.quern.worker.sort.KeyOrder;
import java.util.Comparator;

/**
 * How a job's map output keys and values are serialized, sorted and grouped: built once per task
 * from the job's classes.
 *
 * @param keyClass the declared map output key class
 * @param valueClass the declared map output value class
 * @param sortGrouping equality under the sort order (what the combiner groups by)
 * @param reduceGrouping the job's grouping comparator, or {@code sortGrouping}
 */
public record MapOutputTypes<K, V>(
    Class<K> keyClass,
    Class<V> valueClass,
    Serde<K> keySerde,
    Serde<V> valueSerde,
    KeyOrder order,
    KeyGrouping sortGrouping,
    KeyGrouping reduceGrouping) {

  @SuppressWarnings("unchecked")
  public static <K, V> MapOutputTypes<K, V> of(JobSpec job, UserClasses classes) throws Exception {
    Class<K> keyClass = (Class<K>) classes.load(job.mapOutputKeyClass(), "map output key");
    Class<V> valueClass = (Class<V>) classes.load(job.mapOutputValueClass(), "map output value");
    Serde<K> keySerde = Serdes.of(keyClass, classes.loader());
    Serde<V> valueSerde = Serdes.of(valueClass, classes.loader());
    Comparator<? super K> sort = job.sortComparator() == null ? null
        : classes.create(job.sortComparator(), Comparator.class, "sort comparator");
    KeyOrder order = KeyOrder.of(sort, keySerde, keyClass);
    KeyGrouping sortGrouping = KeyGrouping.of(null, keySerde, order);
    Comparator<? super K> group = job.groupingComparator() == null ? null
        : classes.create(job.groupingComparator(), Comparator.class, "grouping comparator");
    KeyGrouping reduceGrouping =
        group == null ? sortGrouping : KeyGrouping.of(group, keySerde, order);
    return new MapOutputTypes<>(keyClass, valueClass, keySerde, valueSerde, order, sortGrouping,
        reduceGrouping);
  }
}
