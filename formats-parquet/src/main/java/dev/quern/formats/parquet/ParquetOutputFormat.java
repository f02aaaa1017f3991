package dev.quern.formats.parquet;

import dev.quern.api.Configuration;
import dev.quern.api.commit.OutputPaths;
import dev.quern.api.Sizes;
import dev.quern.api.io.OutputFormat;
import dev.quern.api.io.RecordWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes the values, Avro {@link GenericRecord}s, into {@code baseName.parquet}; keys are ignored.
 * The schema comes from {@value ParquetConfig#SCHEMA} (Avro JSON, required), the codec from
 * {@value ParquetConfig#COMPRESSION} (snappy by default).
 *
 * <pre>{@code
 * Job.builder("to-parquet").outputFormat(ParquetOutputFormat.class)
 *     .set(ParquetConfig.SCHEMA, schema.toString())
 *     .set(ParquetConfig.COMPRESSION, "zstd")
 * }</pre>
 */
public class ParquetOutputFormat<K> implements OutputFormat<K, GenericRecord> {
  public static final String EXTENSION = ".parquet";

  @Override
  public RecordWriter<K, GenericRecord> open(Path workDir, String baseName, Configuration conf)
      throws IOException {
    return open(workDir.toString(), baseName, conf);
  }

  /** A work directory on any filesystem: local, or {@code hdfs://...} through its client. */
  @Override
  public RecordWriter<K, GenericRecord> open(String workDir, String baseName, Configuration conf)
      throws IOException {
    Schema schema = schema(conf);
    CompressionCodecName codec = codec(conf.get(ParquetConfig.COMPRESSION, "snappy"));
    String file = OutputPaths.join(workDir, baseName + EXTENSION);
    AvroParquetWriter.Builder<GenericRecord> b = AvroParquetWriter
        .<GenericRecord>builder(FsParquetFiles.output(file, conf))
        // Without default resources: parsing Hadoop's XML defaults costs ~100 ms per writer.
        .withConf(new org.apache.hadoop.conf.Configuration(false))
        .withSchema(schema)
        .withDataModel(GenericData.get())
        .withCompressionCodec(codec);
    String rowGroup = conf.get(ParquetConfig.ROW_GROUP_SIZE);
    if (rowGroup != null) {
      b.withRowGroupSize(Sizes.parse(ParquetConfig.ROW_GROUP_SIZE, rowGroup));
    }
    ParquetWriter<GenericRecord> writer = b.build();
    return new RecordWriter<>() {
      @Override
      public void write(K key, GenericRecord value) throws IOException {
        if (value == null) {
          throw new IllegalArgumentException("Parquet file " + file + ": the value is null; "
              + "ParquetOutputFormat writes one GenericRecord per value");
        }
        try {
          writer.write(value);
        } catch (RuntimeException e) {
          throw new IOException("Parquet file " + file + ": cannot write record " + value
              + ": " + e.getMessage(), e);
        }
      }

      @Override
      public long bytesWritten() {
        return writer.getDataSize();
      }

      @Override
      public void close() throws IOException {
        writer.close();
      }
    };
  }

  static Schema schema(Configuration conf) {
    String json = conf.require(ParquetConfig.SCHEMA);
    try {
      return new Schema.Parser().parse(json);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("configuration entry '" + ParquetConfig.SCHEMA
          + "' is not an Avro schema: " + e.getMessage(), e);
    }
  }

  static CompressionCodecName codec(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "snappy" -> CompressionCodecName.SNAPPY;
      case "zstd" -> CompressionCodecName.ZSTD;
      case "gzip" -> CompressionCodecName.GZIP;
      case "lz4_raw" -> CompressionCodecName.LZ4_RAW;
      case "uncompressed", "none" -> CompressionCodecName.UNCOMPRESSED;
      default -> throw new IllegalArgumentException("configuration entry '"
          + ParquetConfig.COMPRESSION + "' must be snappy, zstd, gzip, lz4_raw or uncompressed, "
          + "got '" + name + "'");
    };
  }
}
