package dev.quern.formats.parquet;

import dev.quern.api.Configuration;
import dev.quern.api.Sizes;
import dev.quern.api.fs.BlockLocation;
import dev.quern.api.fs.FileStatus;
import dev.quern.api.fs.FileSystem;
import dev.quern.api.fs.FileSystems;
import dev.quern.api.io.FileInputFormat;
import dev.quern.api.io.InputFormat;
import dev.quern.api.io.InputSplit;
import dev.quern.api.io.RecordReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * Reads Parquet files as Avro {@link GenericRecord}s: the key is the row's index within its file,
 * the value the record. A split is one row group, or several consecutive ones up to {@value
 * FileInputFormat#SPLIT_SIZE} compressed bytes. {@value ParquetConfig#COLUMNS} selects top-level
 * columns; {@value ParquetConfig#EXPECTED_SCHEMA} checks every file against the schema the job
 * expects. Errors name the file.
 *
 * <p>GenericRecord does not travel well through the shuffle (Kryo): a mapper converts records to
 * its own types, or to bytes with {@link AvroBytes}.
 *
 * <pre>{@code
 * Job.builder("sales").input("/data/sales").inputFormat(ParquetInputFormat.class)
 *     .set(ParquetConfig.COLUMNS, "region,amount")
 * }</pre>
 */
public class ParquetInputFormat implements InputFormat<Long, GenericRecord> {

  @Override
  public List<InputSplit> splits(List<String> inputPaths, Configuration conf) throws IOException {
    long splitSize = Sizes.get(conf, FileInputFormat.SPLIT_SIZE,
        FileInputFormat.DEFAULT_SPLIT_SIZE);
    if (splitSize <= 0) {
      throw new IllegalArgumentException(FileInputFormat.SPLIT_SIZE + " must be positive, got "
          + splitSize);
    }
    Schema expected = expectedSchema(conf);
    List<String> columns = Projection.columns(conf.get(ParquetConfig.COLUMNS));
    List<InputSplit> splits = new ArrayList<>();
    for (String input : inputPaths) {
      FileSystem fs = FileSystems.get(input, conf);
      List<String> files = new ArrayList<>();
      if (FileSystems.isLocal(input)) {
        for (Path p : FileInputFormat.listFiles(List.of(input))) {
          files.add(p.toString());
        }
      } else {
        for (FileStatus f : FileInputFormat.listFiles(fs, input)) {
          files.add(f.path());
        }
      }
      for (String file : files) {
        addSplits(fs, file, splitSize, expected, columns, conf, splits);
      }
    }
    return splits;
  }

  private static void addSplits(FileSystem fs, String file, long splitSize, Schema expected,
      List<String> columns, Configuration conf, List<InputSplit> splits) throws IOException {
    ParquetMetadata footer = ParquetFiles.footer(file, conf);
    // Checked here too, so a bad projection fails at submission rather than in every task.
    Projection.readSchema(file, ParquetFiles.avroSchema(file, footer), expected, columns);
    List<BlockMetaData> groups = footer.getBlocks();
    long row = 0;
    int i = 0;
    while (i < groups.size()) {
      int first = i;
      long firstRow = row;
      long start = groups.get(i).getStartingPos();
      long bytes = 0;
      long rows = 0;
      do {
        bytes += groups.get(i).getCompressedSize();
        rows += groups.get(i).getRowCount();
        i++;
      } while (i < groups.size() && bytes + groups.get(i).getCompressedSize() <= splitSize);
      row += rows;
      splits.add(new ParquetSplit(file, first, i - first, firstRow, rows, start,
          bytes, hosts(fs, file, start, bytes)));
    }
  }

  /** The hosts of the block holding most of the range (none for a local file). */
  private static List<String> hosts(FileSystem fs, String file, long start, long length)
      throws IOException {
    if (FileSystems.isLocal(file)) {
      return List.of();
    }
    List<String> best = List.of();
    long most = 0;
    for (BlockLocation b : fs.blockLocations(file, start, Math.max(1, length))) {
      long o = b.overlap(start, start + Math.max(1, length));
      if (o > most) {
        most = o;
        best = b.hosts();
      }
    }
    return best;
  }

  @Override
  public RecordReader<Long, GenericRecord> open(InputSplit split, Configuration conf)
      throws IOException {
    if (!(split instanceof ParquetSplit ps)) {
      throw new IllegalArgumentException("ParquetInputFormat reads ParquetSplits, got " + split);
    }
    return ParquetRecordReader.open(ps, expectedSchema(conf),
        Projection.columns(conf.get(ParquetConfig.COLUMNS)), conf);
  }

  private static Schema expectedSchema(Configuration conf) {
    String json = conf.get(ParquetConfig.EXPECTED_SCHEMA);
    if (json == null || json.isBlank()) {
      return null;
    }
    try {
      return new Schema.Parser().parse(json);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("configuration entry '" + ParquetConfig.EXPECTED_SCHEMA
          + "' is not an Avro schema: " + e.getMessage(), e);
    }
  }
}
