package dev.quern.worker.map;

import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import dev.quern.api.Partitioner;
import dev.quern.api.TaskCounter;
import dev.quern.api.serde.Serde;
import dev.quern.api.serde.Serdes;
import dev.quern.worker.merge.SpillMerger;
import dev.quern.worker.runner.AttemptCounters;
import dev.quern.worker.runner.DataPathConfig;
import dev.quern.worker.runner.Interrupts;
import dev.quern.worker.sort.HashSortBuffer;
import dev.quern.worker.sort.KeyOrder;
import dev.quern.worker.sort.SortBuffer;
import dev.quern.worker.spill.MapOutputWriter;
import dev.quern.worker.spill.PartitionIndex;
import dev.quern.worker.spill.RecordSink;
import dev.quern.worker.spill.RecordStream;
import dev.quern.worker.spill.SpillFile;
import dev.quern.worker.task.TaskAttemptId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
  // Bounded by quern.map.max-record-size: a record too large fails before its buffer grows past.
  private final Output keyOut;
  private final Output valOut;
  private final int maxRecord;
  private static final int LARGE_BUFFER = 1 << 20;
  private final List<SpillFile> spills = new ArrayList<>();
  private int spillCount;
  private int mergePasses;
  /** Where the next spill goes when not a numbered spill file: the final spill's data file. */
  private Path spillTarget;
  /** Bytes the next spill may hold in memory rather than create its file (see finish). */
  private int spillHold;
  /** The stored bytes of the last spill when it held them, else null. */
  private byte[] lastHeld;
  private long records;
  private long bytes;

  /**
   * The attempt's finished output: data file and index file, both written unless {@code held} is
   * not null: then the output's stored bytes are {@code held} and neither file exists until
   * {@link #write} (or the holder of the bytes) writes them.
   */
  public record Result(Path dataFile, Path indexFile, PartitionIndex index, byte[] held) {
    /** Writes a held output's data and index files (the index last). */
    public void write() throws IOException {
      if (held != null) {
        index.writeWithData(dataFile, held, indexFile);
      }
    }
  }

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
    this.maxRecord = (int) Math.min(cfg.maxRecordSize(), Integer.MAX_VALUE - 8);
    this.keyOut = new Output(Math.min(256, maxRecord), maxRecord);
    this.valOut = new Output(Math.min(256, maxRecord), maxRecord);
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

  /** Spills made so far (for tests: the merge's fan-in is bounded however many there are). */
  int spillCount() {
    return spillCount;
  }

  /** Merge passes the finished output took before its final merge. */
  int mergePasses() {
    return mergePasses;
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
    // Strings and byte arrays encode to at least their length: one that cannot fit fails before
    // its encoding (a second copy of it) is made.
    if (atLeastBytes(key) > maxRecord) {
      throw tooLarge(RecordTooLargeException.part("key", maxRecord));
    }
    if (atLeastBytes(value) > maxRecord) {
      throw tooLarge(RecordTooLargeException.part("value", maxRecord));
    }
    if (objectBuffer != null) {
      long size = objectBuffer.collect(key, value);
      if (size > maxRecord) {
        // Its objects are held already, and serialized at the spill: stop before that.
        throw RecordTooLargeException.record(size, 0, maxRecord);
      }
      records++;
      bytes += size;
      return;
    }
    keyOut.reset();
    try {
      keySerde.write(key, keyOut);
    } catch (KryoBufferOverflowException e) {
      throw tooLarge(RecordTooLargeException.part("key", maxRecord));
    }
    int kl = keyOut.position();
    int vl = -1;
    valOut.reset();
    if (value != null) {
      try {
        valueSerde.write(value, valOut);
      } catch (KryoBufferOverflowException e) {
        throw tooLarge(RecordTooLargeException.part("value", maxRecord));
      }
      vl = valOut.position();
    }
    if ((long) kl + Math.max(vl, 0) > maxRecord) {
      throw tooLarge(RecordTooLargeException.record(kl, Math.max(vl, 0), maxRecord));
    }
    records++;
    bytes += kl + Math.max(vl, 0);
    if (hashBuffer != null) {
      collectHashed(key, keyOut.getBuffer(), kl, valOut.getBuffer(), vl);
    } else {
      add(partition(key), keyOut.getBuffer(), kl, valOut.getBuffer(), vl);
    }
  }

  /** A lower bound of an object's serialized size where it is known without encoding it. */
  private static long atLeastBytes(Object o) {
    if (o instanceof String str) {
      return str.length();
    }
    return o instanceof byte[] b ? b.length : 0;
  }

  private RecordTooLargeException tooLarge(RecordTooLargeException e) {
    shrinkBuffers();
    return e;
  }

  /** Drops serialization buffers that a large record grew, so they do not stay for the task. */
  private void shrinkBuffers() {
    if (keyOut.getBuffer().length > LARGE_BUFFER) {
      keyOut.setBuffer(new byte[256], maxRecord);
    }
    if (valOut.getBuffer().length > LARGE_BUFFER) {
      valOut.setBuffer(new byte[256], maxRecord);
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

  // Numbered by spills made, not by files held: merge passes may leave fewer files than spills.
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
    Path file = spillTarget != null ? spillTarget : spillPath(spillCount);
    if (hashBuffer != null) {
      hashBuffer.sort(order, partitions);
    } else {
      buffer.sort(order, partitions);
    }
    long written = 0;
    try (MapOutputWriter w = new MapOutputWriter(file, partitions, cfg.compress(), spillHold)) {
      for (int p = 0; p < partitions; p++) {
        w.startPartition();
        RecordStream run = hashBuffer != null ? hashBuffer.partition(p) : buffer.partition(p);
        written += combiner != null ? combiner.run(run, w) : copy(run, w);
        w.endPartition();
      }
      spills.add(new SpillFile(file, w.finish()));
      lastHeld = w.held();
      spillCount++;
    }
    counters.add(TaskCounter.SPILLED_RECORDS, written);
    log.debug("{}: spill {} of {} records wrote {} records", attempt, spillCount - 1,
        buffered(), written);
    if (hashBuffer != null) {
      hashBuffer.reset();
    } else {
      buffer.reset();
    }
  }

  private void spillObjects() throws Exception {
    Path file = spillTarget != null ? spillTarget : spillPath(spillCount);
    objectBuffer.sort(partitions);
    long written = 0;
    try (MapOutputWriter w = new MapOutputWriter(file, partitions, cfg.compress(), spillHold)) {
      for (int p = 0; p < partitions; p++) {
        w.startPartition();
        written += objectBuffer.writePartition(p, w);
        w.endPartition();
      }
      spills.add(new SpillFile(file, w.finish()));
      lastHeld = w.held();
      spillCount++;
    }
    counters.add(TaskCounter.SPILLED_RECORDS, written);
    log.debug("{}: spill {} of {} values wrote {} records", attempt, spillCount - 1,
        buffered(), written);
    objectBuffer.reset();
  }

  private void spillSingle(int part, byte[] kb, int kl, byte[] vb, int vl) throws IOException {
    Path file = spillPath(spillCount);
    try (MapOutputWriter w = new MapOutputWriter(file, partitions, cfg.compress())) {
      for (int p = 0; p < partitions; p++) {
        w.startPartition();
        if (p == part) {
          w.write(kb, 0, kl, vb, 0, vl);
        }
        w.endPartition();
      }
      spills.add(new SpillFile(file, w.finish()));
      spillCount++;
    }
    counters.add(TaskCounter.SPILLED_RECORDS, 1);
    shrinkBuffers();
  }

  private long copy(RecordStream in, RecordSink out) throws IOException,
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
    return finish(0);
  }

  /**
   * As {@link #finish()}; an output written in one spill whose stored bytes are at most {@code
   * holdUpTo} is held in memory and neither of its files is created ({@link Result#held}), for a
   * host that keeps such outputs in memory. An output of one spill goes straight into the data
   * file either way (no spill file to rename).
   */
  public Result finish(int holdUpTo) throws Exception {
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
    Path data = scratchDir.resolve(attempt.dirName() + ".out");
    Path indexFile = scratchDir.resolve(attempt.dirName() + ".index");
    PartitionIndex index;
    byte[] held = null;
    try {
      if (spills.isEmpty()) {
        // The only spill: written as the output itself.
        spillTarget = data;
        spillHold = holdUpTo;
        try {
          spill();
        } finally {
          spillTarget = null;
          spillHold = 0;
        }
        held = lastHeld;
      } else if (buffered() > 0) {
        spill();
      }
      if (spills.size() == 1) {
        SpillFile only = spills.get(0);
        if (!only.file().equals(data)) {
          Files.move(only.file(), data, StandardCopyOption.REPLACE_EXISTING);
        }
        index = only.index();
      } else {
        index = merge(data);
      }
      if (held == null) {
        index.write(indexFile);
      }
    } catch (Exception e) {
      Files.deleteIfExists(data);
      Files.deleteIfExists(indexFile);
      throw e;
    }
    spills.clear();
    return new Result(data, indexFile, index, held);
  }

  /**
   * Merges the spills, at most {@code quern.sort.factor} at once (in passes through scratch files
   * beyond it), combining again when there were enough of them to be worth it.
   */
  private PartitionIndex merge(Path data) throws Exception {
    boolean combine = combiner != null && spills.size() >= cfg.combineMinSpills();
    SpillMerger merger = new SpillMerger(attempt, order, partitions, cfg.mergeFactor(),
        cfg.compress());
    long[] written = new long[1];
    PartitionIndex index = merger.merge(spills, data,
        n -> scratchDir.resolve(attempt.dirName() + ".pass" + n),
        (in, out) -> {
          long n = combine ? combiner.run(in, out) : copy(in, out);
          written[0] += n;
          return n;
        });
    counters.add(TaskCounter.SPILLED_RECORDS, written[0]);
    mergePasses = merger.passes();
    if (merger.passes() > 0) {
      log.debug("{}: merged {} spill files in {} passes", attempt, spillCount, merger.passes());
    }
    return index;
  }

  /** Deletes spill files left by a failed attempt; hands the sort buffer's arrays on. */
  @Override
  public void close() throws IOException {
    if (buffer != null) {
      buffer.release();
    }
    for (SpillFile s : spills) {
      Files.deleteIfExists(s.file());
    }
  }
}
