package dev.quern.api.io.binary;

import dev.quern.api.Configuration;
import dev.quern.api.Sizes;
import dev.quern.api.io.OutputFormat;
import dev.quern.api.io.RecordWriter;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Writes records into Quern's binary key/value files ({@code baseName.qbin}), the format for
 * chaining jobs: the next job reads them with {@link BinaryInputFormat} and gets back the same
 * objects, serialized with {@link dev.quern.api.serde.Serdes}.
 *
 * <p>The classes in the file header come from {@value BinaryFormat#OUTPUT_KEY_CLASS} and {@value
 * BinaryFormat#OUTPUT_VALUE_CLASS} (see {@link #classes}), or else from the first record written;
 * set them when values may be null or when records are subclasses of the declared type. Blocks
 * are LZ4-compressed unless {@value BinaryFormat#OUTPUT_COMPRESSION} is {@code none}.
 *
 * <pre>{@code
 * Job.builder("step1").outputFormat(BinaryOutputFormat.class)
 *     .configure(BinaryOutputFormat.classes(String.class, Long.class))
 * }</pre>
 */
public class BinaryOutputFormat<K, V> implements OutputFormat<K, V> {
  public static final String EXTENSION = ".qbin";

  /** Configuration entries that fix the key and value classes written into the file header. */
  public static Map<String, String> classes(Class<?> key, Class<?> value) {
    return Map.of(BinaryFormat.OUTPUT_KEY_CLASS, key.getName(),
        BinaryFormat.OUTPUT_VALUE_CLASS, value.getName());
  }

  @Override
  public RecordWriter<K, V> open(Path workDir, String baseName, Configuration conf)
      throws IOException {
    Path path = workDir.resolve(baseName + EXTENSION);
    return open(path.toString(), () -> Files.newOutputStream(path), conf);
  }

  @Override
  public RecordWriter<K, V> open(String workDir, String baseName, Configuration conf)
      throws IOException {
    if (FileSystems.isLocal(workDir)) {
      return open(LocalFileSystem.toPath(workDir), baseName, conf);
    }
    FileSystem fs = FileSystems.get(workDir, conf);
    String file = fs.child(workDir, baseName + EXTENSION);
    return open(file, () -> fs.create(file), conf);
  }

  private RecordWriter<K, V> open(String file, BinaryRecordWriter.Sink sink, Configuration conf)
      throws IOException {
    boolean compress = switch (conf.get(BinaryFormat.OUTPUT_COMPRESSION, "lz4").trim()
        .toLowerCase(Locale.ROOT)) {
      case "lz4" -> true;
      case "none" -> false;
      default -> throw new IllegalArgumentException("configuration entry '"
          + BinaryFormat.OUTPUT_COMPRESSION + "' must be lz4 or none, got '"
          + conf.get(BinaryFormat.OUTPUT_COMPRESSION) + "'");
    };
    long blockSize = Sizes.get(conf, BinaryFormat.OUTPUT_BLOCK_SIZE,
        BinaryFormat.DEFAULT_BLOCK_SIZE);
    if (blockSize <= 0 || blockSize > (64 << 20)) {
      throw new IllegalArgumentException("configuration entry '" + BinaryFormat.OUTPUT_BLOCK_SIZE
          + "' must be between 1 and 64m, got " + blockSize);
    }
    ClassLoader loader = BinaryFormat.loader();
    Class<K> keyClass = load(conf, BinaryFormat.OUTPUT_KEY_CLASS, loader);
    Class<V> valueClass = load(conf, BinaryFormat.OUTPUT_VALUE_CLASS, loader);
    if (keyClass != null && valueClass != null) {
      return new BinaryRecordWriter<>(file, sink, keyClass, valueClass, compress, (int) blockSize,
          loader);
    }
    return new FirstRecordWriter<>(file, sink, keyClass, valueClass, compress, (int) blockSize,
        loader);
  }

  @SuppressWarnings("unchecked")
  private static <T> Class<T> load(Configuration conf, String key, ClassLoader loader) {
    String name = conf.get(key);
    if (name == null) {
      return null;
    }
    try {
      return (Class<T>) Class.forName(name.trim(), false, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("configuration entry '" + key + "' names class " + name
          + ", which the job's class loader cannot load", e);
    }
  }

  /** Opens the file at the first record, taking missing classes from that record. */
  private static final class FirstRecordWriter<K, V> implements RecordWriter<K, V> {
    private final String file;
    private final BinaryRecordWriter.Sink sink;
    private final Class<K> keyClass;
    private final Class<V> valueClass;
    private final boolean compress;
    private final int blockSize;
    private final ClassLoader loader;
    private BinaryRecordWriter<K, V> delegate;

    FirstRecordWriter(String file, BinaryRecordWriter.Sink sink, Class<K> keyClass, Class<V> valueClass, boolean compress,
        int blockSize, ClassLoader loader) {
      this.file = file;
      this.sink = sink;
      this.keyClass = keyClass;
      this.valueClass = valueClass;
      this.compress = compress;
      this.blockSize = blockSize;
      this.loader = loader;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void write(K key, V value) throws IOException {
      if (delegate == null) {
        if (key == null) {
          throw new IllegalArgumentException("binary file " + file + ": keys must not be null");
        }
        Class<K> k = keyClass != null ? keyClass : (Class<K>) key.getClass();
        Class<V> v = valueClass;
        if (v == null) {
          if (value == null) {
            throw new IllegalArgumentException("binary file " + file + ": the first value is "
                + "null, so its class is unknown; set " + BinaryFormat.OUTPUT_VALUE_CLASS);
          }
          v = (Class<V>) value.getClass();
        }
        delegate = new BinaryRecordWriter<>(file, sink, k, v, compress, blockSize, loader);
      }
      delegate.write(key, value);
    }

    @Override
    public long bytesWritten() {
      return delegate == null ? 0 : delegate.bytesWritten();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void close() throws IOException {
      if (delegate == null) {
        // An empty task output is still a valid file, so the next job can read the directory;
        // readers accept Object as a placeholder for any class here.
        delegate = new BinaryRecordWriter<>(file, sink,
            keyClass != null ? keyClass : (Class<K>) (Class<?>) Object.class,
            valueClass != null ? valueClass : (Class<V>) (Class<?>) Object.class,
            compress, blockSize, loader);
      }
      delegate.close();
    }
  }
}
