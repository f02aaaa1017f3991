package dev.quern.worker.map;

import com.esotericsoftware.kryo.io.Output;
import dev.quern.api.Partitioner;
import dev.quern.api.TaskCounter;
import dev.quern.api.serde.Serde;
import dev.quern.api.serde.Serdes;
import dev.quern.worker.runner.AttemptCounters;
import dev.quern.worker.runner.DataPathConfig;
import dev.quern.worker.runner.Interrupts;
import dev.quern.worker.sort.HashSortBuffer;
import dev.quern.worker.sort.KeyOrder;
import dev.quern.worker.sort.SortBuffer;
import dev.quern.worker.spill.FileRangeInputStream;
import dev.quern.worker.spill.IndexEntry;
import dev.quern.worker.spill.MapOutputWriter;
import dev.quern.worker.spill.MergingStream;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.spill.RecordStream;
import dev.quern.worker.spill.RunReader;
import dev.quern.worker.task.TaskAttemptId;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The map side of a job with reduce tasks: serializes each emitted record into the sort buffer,
 * sorts and spills (through the combiner, if any) when it fills, and at the end merges the spills
 * into one data file and one index file for the attempt.
 */
public final class MapOutputCollector<K, V> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MapOutputCollector.class);

  private final TaskAttemptId attempt;
  private final DataPathConfig cfg;
  private final int partitions;
  private final Partitioner<K> partitioner;
  private final Serde<K> keySerde;
  private final Serde<V> valueSerde;
  private final KeyOrder order;
  private final Combiner<K, V> combiner;
  private final Path scratchDir;
  private final AttemptCounters counters;
  private final SortBuffer buffer;
  private final HashSortBuffer hashBuffer;
  private final ObjectCombiningBuffer<K, V> objectBuffer;
  private final PendingRecords pending = new PendingRecords();
  private int[] foldParts = new int[8];
  private final com.esotericsoftware.kryo.io.Input keyIn = new com.esotericsoftware.kryo.io.Input();
  private final Output keyOut = new Output(256, -1);
  private final Output valOut = new Output(256, -1);
  private final List<Spill> spills = new ArrayList<>();
  private long records;
  private long bytes;

  private record Spill(Path file, PartitionIndex index) {}

  /** The attempt's finished output: data file and index file. */
  public record Result(Path dataFile, Path indexFile, PartitionIndex index) {}

  MapOutputCollector(TaskAttemptId attempt, DataPathConfig cfg, int partitions,
      Partitioner<K> partitioner, Serde<K> keySerde, Serde<V> valueSerde, KeyOrder order,
      Combiner<K, V> combiner, Path scratchDir, AttemptCounters counters) {
    this.attempt = attempt;
    this.cfg = cfg;
    this.partitions = partitions;
    this.partitioner = partitioner;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.order = order;
    this.combiner = combiner;
    this.scratchDir = scratchDir;
    this.counters = counters;
    boolean hash = combiner != null && cfg.hashCombine();
    Class<?> keyClass = Serdes.immutableClass(keySerde);
    Class<?> valueClass = Serdes.immutableClass(valueSerde);
    boolean objects = hash && cfg.objectCombine() && order.bytesEqualMeansEqual()
        && keyClass != null && valueClass != null;
    this.buffer = hash ? null : new SortBuffer(cfg.sortBufferSize());
    this.hashBuffer = hash && !objects ? new HashSortBuffer(cfg.sortBufferSize()) : null;
    this.objectBuffer = !objects ? null : new ObjectCombiningBuffer<>(attempt,
        cfg.sortBufferSize(), cfg.foldAt(), keyClass, valueClass, keySerde, valueSerde, combiner,
        this::partition, this::spill);
  }

  /** True when this collector keeps records as objects ({@link ObjectCombiningBuffer}). */
  boolean holdsObjects() {
    return objectBuffer != null;
  }

  /** The object buffer's memory estimate. */
  long objectFootprint() {
    return objectBuffer.footprint();
  }

  /** Serializes one emitted record into the buffer, spilling first when it is full. */
  public void collect(K key, V value) throws Exception {
    if (key == null) {
      throw new NullPointerException("map attempt " + attempt
          + " emitted a null key; map output keys must not be null");
    }
    if (objectBuffer != null) {
      records++;
      bytes += objectBuffer.collect(key, value);
      return;
    }
    keyOut.reset();
    keySerde.write(key, keyOut);
    int kl = keyOut.position();
    int vl = -1;
    valOut.reset();
    if (value != null) {
      valueSerde.write(value, valOut);
      vl = valOut.position();
    }
    records++;
    bytes += kl + Math.max(vl, 0);
    if (hashBuffer != null) {
      collectHashed(key, keyOut.getBuffer(), kl, valOut.getBuffer(), vl);
    } else {
      add(partition(key), keyOut.getBuffer(), kl, valOut.getBuffer(), vl);
    }
  }

  /**
   * Most records repeat a key already in the buffer, which then knows the key's partition: the
   * partitioner (a function of the key) runs once per distinct key per spill.
   */
  private void collectHashed(K key, byte[] kb, int kl, byte[] vb, int vl) throws Exception {
    int hash = HashSortBuffer.hash(kb, 0, kl);
    int head = hashBuffer.addIfPresent(hash, kb, 0, kl, vb, 0, vl);
    if (head < 0) {
      addHashed(partition(key), hash, kb, kl, vb, vl);
    } else if (hashBuffer.valueCount(head) >= cfg.foldAt()) {
      fold(head);
    }
  }

  private void add(int p, byte[] kb, int kl, byte[] vb, int vl) throws Exception {
    if (buffer.add(p, kb, kl, vb, vl)) {
      return;
    }
    spill();
    if (!buffer.add(p, kb, kl, vb, vl)) {
      // Larger than the whole buffer: it becomes a spill of its own.
      spillSingle(p, kb, kl, vb, vl);
    }
  }

  private void addHashed(int p, int hash, byte[] kb, int kl, byte[] vb, int vl)
      throws Exception {
    int head = hashBuffer.add(p, hash, kb, 0, kl, vb, 0, vl);
    if (head < 0) {
      spill();
      head = hashBuffer.add(p, hash, kb, 0, kl, vb, 0, vl);
      if (head < 0) {
        spillSingle(p, kb, kl, vb, vl);
        return;
      }
    }
    if (hashBuffer.valueCount(head) >= cfg.foldAt()) {
      fold(head);
    }
  }

  /**
   * Combines the values piled up under one key, so that the buffer holds about one value per
   * distinct key and spills only when the distinct keys fill it.
   */
  private void fold(int head) throws Exception {
    pending.clear();
    combiner.fold(hashBuffer.values(head), pending);
    int part = hashBuffer.partitionOf(head);
    int n = pending.size();
    if (foldParts.length < n) {
      foldParts = new int[Math.max(n, 2 * foldParts.length)];
    }
    int[] parts = foldParts;
    byte[] b = pending.bytes();
    for (int i = 0; i < n; i++) {
      parts[i] = part;
      if (!hashBuffer.sameKey(head, b, pending.keyOff(i), pending.keyLen(i))) {
        // The combiner emitted another key: partition it like a mapper's record.
        keyIn.setBuffer(b, pending.keyOff(i), pending.keyLen(i));
        parts[i] = partition(keySerde.read(keyIn));
      }
    }
    hashBuffer.clearValues(head);
    // Adding may spill (and reset the buffer), so `head` is not used past this point.
    addPending(parts);
  }

  /** Adds the records in {@code pending} to the buffer, record i to partition {@code parts[i]}. */
  private void addPending(int[] parts) throws Exception {
    int n = pending.size();
    byte[] b = pending.bytes();
    for (int i = 0; i < n; i++) {
      int ko = pending.keyOff(i);
      int kl = pending.keyLen(i);
      int vl = pending.valLen(i);
      int hash = HashSortBuffer.hash(b, ko, kl);
      if (hashBuffer.add(parts[i], hash, b, ko, kl, b, pending.valOff(i), vl) < 0) {
        spill();
        if (hashBuffer.add(parts[i], hash, b, ko, kl, b, pending.valOff(i), vl) < 0) {
          byte[] kb = java.util.Arrays.copyOfRange(b, ko, ko + kl);
          byte[] vb = java.util.Arrays.copyOfRange(b, pending.valOff(i),
              pending.valOff(i) + Math.max(vl, 0));
          spillSingle(parts[i], kb, kl, vb, vl);
        }
      }
    }
  }

  private int partition(K key) {
    int p = partitioner.partition(key, partitions);
    if (p < 0 || p >= partitions) {
      throw new IllegalArgumentException("partitioner " + partitioner.getClass().getName()
          + " returned partition " + p + " for key " + key + ", outside [0, " + partitions + ")");
    }
    return p;
  }

  private Path spillPath(int n) {
    return scratchDir.resolve(attempt.dirName() + ".spill" + n);
  }

  private long buffered() {
    if (objectBuffer != null) {
      return objectBuffer.count();
    }
    return hashBuffer != null ? hashBuffer.count() : buffer.count();
  }

  private void spill() throws Exception {
    if (objectBuffer != null) {
      spillObjects();
      return;
    }
    Path file = spillPath(spills.size());
    if (hashBuffer != null) {
      hashBuffer.sort(order, partitions);
    } else {
      buffer.sort(order, partitions);
    }
    long written = 0;
    try (MapOutputWriter w = new MapOutputWriter(file, partitions, cfg.compress())) {
      for (int p = 0; p < partitions; p++) {
        w.startPartition();
        RecordStream run = hashBuffer != null ? hashBuffer.partition(p) : buffer.partition(p);
        written += combiner != null ? combiner.run(run, w) : copy(run, w);
        w.endPartition();
      }
      spills.add(new Spill(file, w.finish()));
    }
    counters.add(TaskCounter.SPILLED_RECORDS, written);
    log.debug("{}: spill {} of {} records wrote {} records", attempt, spills.size() - 1,
        buffered(), written);
    if (hashBuffer != null) {
      hashBuffer.reset();
    } else {
      buffer.reset();
    }
  }

  private void spillObjects() throws Exception {
    Path file = spillPath(spills.size());
    objectBuffer.sort(partitions);
    long written = 0;
    try (MapOutputWriter w = new MapOutputWriter(file, partitions, cfg.compress())) {
      for (int p = 0; p < partitions; p++) {
        w.startPartition();
        written += objectBuffer.writePartition(p, w);
        w.endPartition();
      }
      spills.add(new Spill(file, w.finish()));
    }
    counters.add(TaskCounter.SPILLED_RECORDS, written);
    log.debug("{}: spill {} of {} values wrote {} records", attempt, spills.size() - 1,
        buffered(), written);
    objectBuffer.reset();
  }

  private void spillSingle(int part, byte[] kb, int kl, byte[] vb, int vl) throws IOException {
    Path file = spillPath(spills.size());
    try (MapOutputWriter w = new MapOutputWriter(file, partitions, cfg.compress())) {
      for (int p = 0; p < partitions; p++) {
        w.startPartition();
        if (p == part) {
          w.write(kb, 0, kl, vb, 0, vl);
        }
        w.endPartition();
      }
      spills.add(new Spill(file, w.finish()));
    }
    counters.add(TaskCounter.SPILLED_RECORDS, 1);
  }

  private long copy(RecordStream in, MapOutputWriter out) throws IOException,
      InterruptedException {
    long n = 0;
    while (in.next()) {
      out.write(in.keyBuf(), in.keyOff(), in.keyLen(), in.valBuf(), in.valOff(), in.valLen());
      if ((++n & 0xffff) == 0) {
        Interrupts.check(attempt);
      }
    }
    return n;
  }

  /** Spills what is left and merges all spills into the attempt's data and index files. */
  public Result finish() throws Exception {
    if (objectBuffer != null) {
      objectBuffer.endFolds();
    }
    if (hashBuffer != null) {
      pending.clear();
      combiner.endFolds(pending);
      int[] parts = new int[pending.size()];
      for (int i = 0; i < parts.length; i++) {
        keyIn.setBuffer(pending.bytes(), pending.keyOff(i), pending.keyLen(i));
        parts[i] = partition(keySerde.read(keyIn));
      }
      addPending(parts);
    }
    counters.add(TaskCounter.MAP_OUTPUT_RECORDS, records);
    counters.add(TaskCounter.MAP_OUTPUT_BYTES, bytes);
    if (buffered() > 0 || spills.isEmpty()) {
      spill();
    }
    Path data = scratchDir.resolve(attempt.dirName() + ".out");
    Path indexFile = scratchDir.resolve(attempt.dirName() + ".index");
    PartitionIndex index;
    try {
      if (spills.size() == 1) {
        Files.move(spills.get(0).file(), data, StandardCopyOption.REPLACE_EXISTING);
        index = spills.get(0).index();
      } else {
        index = merge(data);
      }
      index.write(indexFile);
    } catch (Exception e) {
      Files.deleteIfExists(data);
      Files.deleteIfExists(indexFile);
      throw e;
    }
    spills.clear();
    return new Result(data, indexFile, index);
  }

  private PartitionIndex merge(Path data) throws Exception {
    boolean combine = combiner != null && spills.size() >= cfg.combineMinSpills();
    List<FileChannel> channels = new ArrayList<>();
    long written = 0;
    try (MapOutputWriter w = new MapOutputWriter(data, partitions, cfg.compress())) {
      for (Spill s : spills) {
        channels.add(FileChannel.open(s.file(), StandardOpenOption.READ));
      }
      for (int p = 0; p < partitions; p++) {
        List<RecordStream> runs = new ArrayList<>(spills.size());
        for (int i = 0; i < spills.size(); i++) {
          PartitionIndex ix = spills.get(i).index();
          IndexEntry e = ix.entry(p);
          runs.add(new RunReader(
              new FileRangeInputStream(channels.get(i), e.offset(), e.storedLength(), false),
              ix.compressed(), e.rawLength(), spills.get(i).file() + " partition " + p));
        }
        w.startPartition();
        MergingStream merged = new MergingStream(runs, order);
        written += combine ? combiner.run(merged, w) : copy(merged, w);
        w.endPartition();
      }
      PartitionIndex index = w.finish();
      counters.add(TaskCounter.SPILLED_RECORDS, written);
      return index;
    } finally {
      for (FileChannel c : channels) {
        c.close();
      }
      for (Spill s : spills) {
        Files.deleteIfExists(s.file());
      }
    }
  }

  /** Deletes spill files left by a failed attempt; hands the sort buffer's arrays on. */
  @Override
  public void close() throws IOException {
    if (buffer != null) {
      buffer.release();
    }
    for (Spill s : spills) {
      Files.deleteIfExists(s.file());
    }
  }
}
