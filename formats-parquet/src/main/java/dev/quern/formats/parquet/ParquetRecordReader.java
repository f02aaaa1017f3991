package dev.quern.formats.parquet;

import dev.quern.api.Configuration;
import dev.quern.api.io.RecordReader;
import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/** Reads the row groups of one {@link ParquetSplit}; the key is the row's index in the file. */
final class ParquetRecordReader implements RecordReader<Long, GenericRecord> {
  private final ParquetSplit split;
  private final ParquetReader<GenericRecord> reader;
  private long rowsRead;
  private GenericRecord value;

  private ParquetRecordReader(ParquetSplit split, ParquetReader<GenericRecord> reader) {
    this.split = split;
    this.reader = reader;
  }

  static ParquetRecordReader open(ParquetSplit split, Schema expected, List<String> columns,
      Configuration conf) throws IOException {
    String file = split.path();
    ParquetMetadata footer = ParquetFiles.footer(file, conf);
    Schema fileSchema = ParquetFiles.avroSchema(file, footer);
    Schema read = Projection.readSchema(file, fileSchema, expected, columns);
    ParquetReader.Builder<GenericRecord> b = AvroParquetReader
        .<GenericRecord>builder(FsParquetFiles.input(file, conf))
        .withDataModel(GenericData.get())
        // Without default resources: parsing Hadoop's XML defaults costs ~100 ms per reader.
        .withConf(new org.apache.hadoop.conf.Configuration(false))
        // Row groups are chosen by their midpoint; the split covers whole row groups.
        .withFileRange(split.start(), split.start() + split.length());
    if (read != fileSchema) {
      b.set(AvroReadSupport.AVRO_REQUESTED_PROJECTION,
          Projection.fileColumns(fileSchema, read).toString());
      // AvroReadSupport.AVRO_READ_SCHEMA is private; its public setter needs a Hadoop conf.
      b.set("parquet.avro.read.schema", read.toString());
    }
    try {
      return new ParquetRecordReader(split, b.build());
    } catch (RuntimeException e) {
      throw new IOException("cannot read Parquet " + split.describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean next() throws IOException {
    GenericRecord r;
    try {
      r = reader.read();
    } catch (RuntimeException e) {
      throw new IOException("Parquet " + split.describe() + ", row " + (split.firstRow()
          + rowsRead) + ": " + e.getMessage(), e);
    }
    if (r == null) {
      if (rowsRead != split.rows()) {
        throw new IOException("Parquet " + split.describe() + " yielded " + rowsRead
            + " rows, but its row groups hold " + split.rows());
      }
      return false;
    }
    if (rowsRead == split.rows()) {
      throw new IOException("Parquet " + split.describe() + " yields more rows than its row "
          + "groups hold (" + split.rows() + ")");
    }
    value = r;
    rowsRead++;
    return true;
  }

  @Override
  public Long key() {
    return split.firstRow() + rowsRead - 1;
  }

  @Override
  public GenericRecord value() {
    return value;
  }

  @Override
  public float progress() {
    return split.rows() == 0 ? 1f : Math.min(1f, rowsRead / (float) split.rows());
  }

  @Override
  public long bytesRead() {
    return split.rows() == 0 ? 0 : (long) (split.length() * (double) rowsRead / split.rows());
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
